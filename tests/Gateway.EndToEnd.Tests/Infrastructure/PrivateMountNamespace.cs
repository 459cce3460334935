namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Command lines that run a program in a private mount namespace (util-linux <c>unshare --mount --propagation
/// private</c>) whose <c>/run</c> is an empty tmpfs: what the program creates in <c>/run</c> and every mount it makes
/// are seen only inside the namespace and vanish with its last process, so daemons that insist on machine-wide paths
/// (dockerd's <c>/run/docker/plugins</c>, containerd's shim sockets in <c>/run/containerd/s</c>) leave nothing behind
/// and never meet a system daemon's folders. Needs root (CAP_SYS_ADMIN); <see cref="UnavailableReasonAsync"/> says
/// whether it works on this machine (a container without that capability refuses it);
/// <c>GATEWAY_E2E_MOUNT_NAMESPACE=off</c> makes it say no, to try the fallbacks on a machine where it works.
/// </summary>
public static class PrivateMountNamespace
{
    /// <summary>
    /// An empty tmpfs on <c>/run</c>. The whole /run, not just the folders a program wants: a mount point must exist,
    /// and creating one outside is exactly what this avoids. <c>-n</c> everywhere: without it libmount creates
    /// <c>/run/mount</c> (its utab folder) in whatever /run it sees.
    /// </summary>
    public const string PrivateRunScript = "mount -n -t tmpfs -o mode=0755,size=64m " + PrivateRunSource + " /run";

    /// <summary>The source name of the private <c>/run</c> tmpfs, as a process's <c>/proc/PID/mountinfo</c> shows it.</summary>
    public const string PrivateRunSource = "gw-e2e-run";

    /// <summary>
    /// Whether process <paramref name="pid"/> runs in a mount namespace other than this process's, with the private
    /// <c>/run</c> tmpfs mounted: then nothing it creates under <c>/run</c> can reach the machine's.
    /// </summary>
    public static bool HasPrivateRun(int pid) =>
        new FileInfo($"/proc/{pid}/ns/mnt").LinkTarget != new FileInfo("/proc/self/ns/mnt").LinkTarget
        && File.ReadLines($"/proc/{pid}/mountinfo").Any(IsPrivateRun);

    // mountinfo: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [TAGS…] - FSTYPE SOURCE SUPEROPTIONS"
    private static bool IsPrivateRun(string line)
    {
        var fields = line.Split(' ');
        var separator = Array.IndexOf(fields, "-");
        return fields.Length > 4 && fields[4] == "/run" && separator > 0 && separator + 2 < fields.Length
            && fields[separator + 1] == "tmpfs" && fields[separator + 2] == PrivateRunSource;
    }

    private static readonly Lazy<Task<string?>> Probe = new(ProbeAsync);

    /// <summary>Null when private namespaces work here, else one line saying why not. Probed once per test run.</summary>
    public static Task<string?> UnavailableReasonAsync() => Probe.Value;

    /// <summary>
    /// <c>unshare … sh -c 'SETUP &amp;&amp; exec PROGRAM ARGS'</c>: <paramref name="setupScript"/> (mounts, with <c>-n</c>) runs in
    /// the new namespace first. No fork on the way (unshare and sh exec), so the started process's PID is the
    /// program's, and its children share the namespace.
    /// </summary>
    public static (string Program, string[] Arguments) Command(string setupScript, string program, IEnumerable<string> arguments) =>
        ("unshare", ["--mount", "--propagation", "private", "--", "sh", "-c", setupScript + " && exec \"$@\"", program, ProcessLaunch.Resolve(program), .. arguments]);

    /// <summary><see cref="Command"/> with <see cref="PrivateRunScript"/>: PROGRAM ARGS with a /run of their own.</summary>
    public static (string Program, string[] Arguments) WithPrivateRun(string program, IEnumerable<string> arguments) =>
        Command(PrivateRunScript, program, arguments);

    /// <summary>
    /// <c>nsenter</c> into the mount namespace of <paramref name="pid"/> (one started by <see cref="WithPrivateRun"/>),
    /// then PROGRAM ARGS in <paramref name="workingDirectory"/>. nsenter execs without forking for a mount namespace.
    /// </summary>
    public static (string Program, string[] Arguments) Join(int pid, string workingDirectory, string program, IEnumerable<string> arguments) =>
        ("nsenter", [$"--target={pid}", "--mount", $"--wd={workingDirectory}", "--", ProcessLaunch.Resolve(program), .. arguments]);

    private static async Task<string?> ProbeAsync()
    {
        var reason = await ProbeCoreAsync().ConfigureAwait(false);
        if (reason is not null && Environment.IsPrivilegedProcess)
        {
            // Once per run, where it matters: root, yet refused (a container without CAP_SYS_ADMIN). The helpers then
            // run their programs as before, with the folders those create in /run and /var/lib/containers.
            await Console.Error.WriteLineAsync($"note: no private mount namespaces here ({reason}); dockerd, skopeo, podman and buildah use the machine's /run").ConfigureAwait(false);
        }

        return reason;
    }

    private static async Task<string?> ProbeCoreAsync()
    {
        if (Environment.GetEnvironmentVariable("GATEWAY_E2E_MOUNT_NAMESPACE") == "off")
        {
            return "GATEWAY_E2E_MOUNT_NAMESPACE=off";
        }

        if (!Environment.IsPrivilegedProcess)
        {
            return "not root";
        }

        try
        {
            var (program, arguments) = WithPrivateRun("true", []);
            var result = await CommandRunner.RunAsync(program, arguments, TimeSpan.FromSeconds(15)).ConfigureAwait(false);
            return result.Succeeded
                ? null
                : $"`unshare --mount` + tmpfs on /run failed ({result.ExitCode}): {result.StandardError.Trim().ReplaceLineEndings(" ")}";
        }
        catch (Exception e) when (e is FileNotFoundException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            return e.Message.ReplaceLineEndings(" ");
        }
    }
}
