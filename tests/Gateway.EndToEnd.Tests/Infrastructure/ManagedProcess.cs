using System.Collections.Concurrent;
using System.Diagnostics;

namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A long-running child process in its own process group, with its stdout+stderr captured line by line.
/// Disposing it stops it: SIGTERM, a bounded wait, then SIGKILL to the whole group.
/// </summary>
public sealed class ManagedProcess : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<int, ManagedProcess> Live = new();

    private readonly Process _process;
    private readonly OutputBuffer _output = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _exitCode = -1;
    private int _disposed;

    static ManagedProcess()
    {
        // Last resort if the test host exits with children still running (not reached on SIGKILL of the host).
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var child in Live.Values)
            {
                child.KillHard();
            }
        };
    }

    private ManagedProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    /// <summary>Short name used in messages (the program's file name unless given).</summary>
    public string Name { get; }

    public int Pid { get; private set; }

    /// <summary>The command line, for messages.</summary>
    public string CommandLine { get; private set; } = "";

    public bool HasExited => _exited.Task.IsCompleted;

    /// <summary>Exit code once exited (128+n when killed by signal n), else null.</summary>
    public int? ExitCode => HasExited ? _exitCode : null;

    /// <summary>Completes when the process has exited.</summary>
    public Task Exited => _exited.Task;

    /// <summary>All output lines so far (stdout and stderr interleaved as received), joined by '\n'.</summary>
    public string Output => _output.Text;

    public string StandardOutput => _output.StandardOutput;

    public string StandardError => _output.StandardError;

    public IReadOnlyList<string> Lines => _output.Lines;

    /// <summary>Number of lines so far; pass it as <c>fromLine</c> to wait only for later lines.</summary>
    public int LineCount => _output.Count;

    /// <summary>How long <see cref="DisposeAsync"/> waits after SIGTERM before SIGKILL.</summary>
    public TimeSpan GracefulStopTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public static ManagedProcess Start(
        string program,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null,
        string? name = null)
    {
        var args = arguments.ToList();
        var info = ProcessLaunch.Create(program, args, environment, workingDirectory);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var managed = new ManagedProcess(name ?? Path.GetFileName(program), process)
        {
            CommandLine = ProcessLaunch.Describe(program, args),
        };
        process.OutputDataReceived += (_, e) => managed.OnData(e.Data, isError: false);
        process.ErrorDataReceived += (_, e) => managed.OnData(e.Data, isError: true);
        process.Exited += (_, _) => managed.OnExited();

        process.Start();
        managed.Pid = process.Id;
        Live[managed.Pid] = managed;
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return managed;
    }

    public string OutputTail(int lines = 60) => _output.Tail(lines);

    /// <summary>
    /// Waits for an output line matching <paramref name="predicate"/> (lines already received count, from
    /// index <paramref name="fromLine"/> on). Throws TimeoutException, or InvalidOperationException when the
    /// process exits first; both messages carry the output tail.
    /// </summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout, int fromLine = 0)
    {
        using var cancel = new CancellationTokenSource();
        var line = _output.WaitAsync(predicate, fromLine, cancel.Token);
        var finished = await Task.WhenAny(line, _exited.Task, Task.Delay(timeout, cancel.Token)).ConfigureAwait(false);
        if (finished != line && finished == _exited.Task)
        {
            await WaitForOutputClosedAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }

        if (line.IsCompleted)
        {
            return await line.ConfigureAwait(false);
        }

        await cancel.CancelAsync().ConfigureAwait(false);
        if (HasExited)
        {
            throw new InvalidOperationException(
                $"{Name} (pid {Pid}) exited with code {_exitCode} before the awaited line appeared.\n{OutputTail()}");
        }

        throw new TimeoutException($"{Name} (pid {Pid}) printed no awaited line within {timeout}.\n{OutputTail()}");
    }

    /// <summary>Sends <paramref name="signal"/> to the process itself (not its group).</summary>
    public Task SignalAsync(Signal signal)
    {
        if (!HasExited)
        {
            NativeMethods.Kill(Pid, signal);
        }

        return Task.CompletedTask;
    }

    /// <summary>Sends <paramref name="signal"/> to the whole process group (the process and its children).</summary>
    public void SignalGroup(Signal signal) => NativeMethods.Kill(-Pid, signal);

    /// <summary>SIGKILL to the whole process group. Does not wait.</summary>
    public void KillHard()
    {
        try
        {
            NativeMethods.Kill(-Pid, Signal.Kill);
        }
        catch (InvalidOperationException)
        {
            // nothing left to kill
        }
    }

    /// <summary>True when the process exited within <paramref name="timeout"/> (its output then fully read, bounded).</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource();
        var finished = await Task.WhenAny(_exited.Task, Task.Delay(timeout, cancel.Token)).ConfigureAwait(false);
        await cancel.CancelAsync().ConfigureAwait(false);
        if (finished != _exited.Task)
        {
            return false;
        }

        await WaitForOutputClosedAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// SIGTERM, wait up to <paramref name="gracePeriod"/>, then SIGKILL the group; finally SIGKILL whatever is
    /// left in the group. Returns the exit code.
    /// </summary>
    public async Task<int> StopAsync(TimeSpan gracePeriod)
    {
        if (!HasExited)
        {
            await SignalAsync(Signal.Term).ConfigureAwait(false);
            if (!await WaitForExitAsync(gracePeriod).ConfigureAwait(false))
            {
                KillHard();
                await WaitForExitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
        }

        if (ProcessTable.InGroup(Pid).Count > 0)
        {
            KillHard(); // orphans left in the group
        }

        await WaitForOutputClosedAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        return _exitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        try
        {
            await StopAsync(GracefulStopTimeout).ConfigureAwait(false);
        }
        finally
        {
            Live.TryRemove(Pid, out _);
            _process.Dispose();
        }
    }

    public override string ToString() => $"{Name} (pid {Pid})";

    private async Task WaitForOutputClosedAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource();
        await Task.WhenAny(Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task), Task.Delay(timeout, cancel.Token))
            .ConfigureAwait(false);
        await cancel.CancelAsync().ConfigureAwait(false);
    }

    private void OnData(string? line, bool isError)
    {
        if (line is null)
        {
            (isError ? _stderrClosed : _stdoutClosed).TrySetResult();
        }
        else
        {
            _output.Add(line, isError);
        }
    }

    private void OnExited()
    {
        try
        {
            _exitCode = _process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            _exitCode = -1;
        }

        _exited.TrySetResult();
    }
}
