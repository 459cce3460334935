using System.Diagnostics;

namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>Bounded polling.</summary>
public static class Poll
{
    /// <summary>
    /// Calls <paramref name="condition"/> (each call bounded to 5 s; exceptions count as false) until it returns
    /// true. Throws TimeoutException after <paramref name="timeout"/>, or InvalidOperationException as soon as
    /// <paramref name="process"/> exits; messages include <paramref name="what"/> and the process output tail.
    /// </summary>
    public static async Task UntilAsync(
        Func<CancellationToken, Task<bool>> condition,
        TimeSpan timeout,
        string what,
        ManagedProcess? process = null,
        TimeSpan? interval = null)
    {
        var watch = Stopwatch.StartNew();
        Exception? last = null;
        while (true)
        {
            if (process is { HasExited: true })
            {
                await process.WaitForExitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
                throw new InvalidOperationException(
                    $"{process} exited with code {process.ExitCode} while waiting for {what}.\n{process.OutputTail()}");
            }

            using (var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
            {
                try
                {
                    if (await condition(attempt.Token).ConfigureAwait(false))
                    {
                        return;
                    }
                }
#pragma warning disable CA1031 // a failing probe just means "not yet"
                catch (Exception e)
#pragma warning restore CA1031
                {
                    last = e;
                }
            }

            if (watch.Elapsed > timeout)
            {
                var detail = last is null ? "" : $" Last error: {last.GetType().Name}: {last.Message}";
                var tail = process is null ? "" : "\n" + process.OutputTail();
                throw new TimeoutException($"Timed out after {timeout} waiting for {what}.{detail}{tail}");
            }

            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(100)).ConfigureAwait(false);
        }
    }
}
