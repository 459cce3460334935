using System.Diagnostics;
using Gateway.Edge.Telemetry;
using Gateway.Registry.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Access.Admit;

/// <summary>
/// Grain calls within one bound per request: a call that fails is retried once; then the request is undecidable (the
/// caller answers 503). All attempts together never take longer than <see cref="GrainCallOptions.ResponseTimeout"/>,
/// counted from the request's first call.
/// </summary>
public sealed partial class BoundedGrainCalls(IAccessGrains grains, IOptions<GrainCallOptions> bound, EdgeMetrics metrics, ILogger<BoundedGrainCalls> logger)
{
    /// <summary>A retry is not worth starting with less time than this left.</summary>
    private static readonly TimeSpan MinimumAttempt = TimeSpan.FromMilliseconds(100);

    /// <summary>Calls a grain.</summary>
    /// <param name="call">The grain call.</param>
    /// <param name="state">Its arguments.</param>
    /// <param name="method">Its name, for metrics and logs.</param>
    /// <param name="first">When the request's first grain call started (<see cref="Stopwatch.GetTimestamp"/>): every call of one request shares one bound.</param>
    /// <returns>Whether it answered, and its answer.</returns>
    public async Task<(bool Ok, TResult Value)> CallAsync<TState, TResult>(Func<IAccessGrains, TState, Task<TResult>> call, TState state, string method, long first)
    {
        // One bound for the request, retries included: Orleans' own timeout applies per call, and while Redis is down
        // a call can wait in the client's backlog on top of it.
        var limit = bound.Value.ResponseTimeout;
        for (var attempt = 1; ; attempt++)
        {
            var started = Stopwatch.GetTimestamp();
            var remaining = limit - Stopwatch.GetElapsedTime(first);
            try
            {
                var result = await call(grains, state).WaitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero).ConfigureAwait(false);
                metrics.RecordGrainCall(Stopwatch.GetElapsedTime(started), method, ok: true);
                return (true, result);
            }
            catch (Exception ex)
            {
                // Every failure counts, cancellations included: Orleans cancels a call whose silo died mid-call, and an
                // escaping OperationCanceledException would answer 500 where the cluster merely could not decide (503).
                metrics.RecordGrainCall(Stopwatch.GetElapsedTime(started), method, ok: false);
                metrics.ClusterCallFailed();
                Log.GrainCallFailed(logger, method, attempt, ex.GetType().Name, ex.Message);
                if (attempt >= 2 || Stopwatch.GetElapsedTime(first) >= limit - MinimumAttempt)
                {
                    return (false, default!);
                }
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.GrainCallFailed, Level = LogLevel.Warning, Message = "Grain call {Method} failed (attempt {Attempt}): {ExceptionType}: {Reason}")]
        public static partial void GrainCallFailed(ILogger logger, string method, int attempt, string exceptionType, string reason);
    }
}
