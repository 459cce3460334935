using System.Diagnostics;

namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>Runs a short-lived command to completion (own process group, bounded in time, exact stdout/stderr).</summary>
public static class CommandRunner
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(3);

    /// <summary>
    /// Runs <paramref name="program"/>; on timeout its process group gets SIGKILL and a TimeoutException
    /// (with the output so far) is thrown. A non-zero exit code is returned, not thrown.
    /// </summary>
    public static async Task<CommandResult> RunAsync(
        string program,
        IEnumerable<string> arguments,
        TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? standardInput = null,
        string? workingDirectory = null)
    {
        var args = arguments.ToList();
        var commandLine = ProcessLaunch.Describe(program, args);
        var limit = timeout ?? DefaultTimeout;
        using var process = new Process { StartInfo = ProcessLaunch.Create(program, args, environment, workingDirectory) };
        var watch = Stopwatch.StartNew();
        process.Start();
        var pid = process.Id;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            if (standardInput is not null)
            {
                await process.StandardInput.WriteAsync(standardInput).ConfigureAwait(false);
            }
        }
        catch (IOException)
        {
            // the program exited without reading its input; its exit code tells
        }
        finally
        {
            process.StandardInput.Close();
        }

        using var cancel = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(cancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            NativeMethods.Kill(-pid, Signal.Kill);
            process.WaitForExit(5000);
            var soFar = string.Join('\n', Completed(stdout), Completed(stderr));
            throw new TimeoutException($"`{commandLine}` did not finish within {limit}; killed.\n{soFar}");
        }

        // Children left in the group (daemons a command forgot) would hold the pipes and resources: end them.
        var output = Task.WhenAll(stdout, stderr);
        if (await Task.WhenAny(output, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false) != output
            || ProcessTable.InGroup(pid).Count > 0)
        {
            NativeMethods.Kill(-pid, Signal.Kill);
        }

        await output.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);

        return new CommandResult(commandLine, process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false), watch.Elapsed);
    }

    /// <summary>Same, with arguments as params.</summary>
    public static Task<CommandResult> RunAsync(string program, params string[] arguments) =>
        RunAsync(program, (IEnumerable<string>)arguments);

    private static string Completed(Task<string> task) => task.IsCompletedSuccessfully ? task.Result : "";
}
