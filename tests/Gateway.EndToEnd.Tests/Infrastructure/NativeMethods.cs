using System.Runtime.InteropServices;

namespace Gateway.EndToEnd.Tests.Infrastructure;

internal static class NativeMethods
{
    private const int Esrch = 3;

#pragma warning disable SYSLIB1054 // plain DllImport: no unsafe code needed for int arguments
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int signal);
#pragma warning restore SYSLIB1054

    /// <summary>kill(2). A negative pid addresses a process group. False when no such process (ESRCH).</summary>
    public static bool Kill(int pid, Signal signal)
    {
        if (SysKill(pid, (int)signal) == 0)
        {
            return true;
        }

        var error = Marshal.GetLastPInvokeError();
        if (error == Esrch)
        {
            return false;
        }

        throw new InvalidOperationException($"kill({pid}, {signal}) failed with errno {error}.");
    }
}
