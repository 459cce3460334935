using System.Diagnostics;
using Gateway.Registry.Logging;
using Orleans.Storage;

namespace Gateway.Host.Cluster;

/// <summary>
/// Grain storage in Redis that keeps its promises through a failover: it wraps Orleans' Redis storage and
/// <list type="bullet">
/// <item>retries a read or write Redis did not answer (the primary died) for up to <see cref="FailoverWait"/>, the time
/// Sentinels take to promote a replica;</item>
/// <item>writes an active grain's state over an older stored copy instead of failing on the version check: after a
/// failover the stored copy can be older than the grain's (a write whose answer was lost with the old primary, or one
/// the promoted replica missed), and the active grain, the only writer, holds the newest state (event 3101);</item>
/// <item>waits after each write until a replica has it (<see cref="RedisReplicationBarrier"/>), so the client's
/// answer (a lock, a machine account) survives the next failover.</item>
/// </list>
/// </summary>
public sealed partial class FailoverSafeGrainStorage(IGrainStorage inner, RedisReplicationBarrier replication, ILogger<FailoverSafeGrainStorage> logger) : IGrainStorage
{
    /// <summary>How long an operation is retried while Redis does not answer (Sentinels promote a replica within seconds).</summary>
    internal static readonly TimeSpan FailoverWait = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);

    /// <inheritdoc />
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        RetryAsync(() => inner.ReadStateAsync(stateName, grainId, grainState), "read", grainId);

    /// <inheritdoc />
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await RetryAsync(
            async () =>
            {
                try
                {
                    await inner.WriteStateAsync(stateName, grainId, grainState).ConfigureAwait(false);
                }
                catch (InconsistentStateException)
                {
                    grainState.ETag = await StoredETagAsync<T>(stateName, grainId).ConfigureAwait(false);
                    await inner.WriteStateAsync(stateName, grainId, grainState).ConfigureAwait(false);
                }
            },
            "write",
            grainId).ConfigureAwait(false);
        await replication.WaitAsync(stateName).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await RetryAsync(
            async () =>
            {
                try
                {
                    await inner.ClearStateAsync(stateName, grainId, grainState).ConfigureAwait(false);
                }
                catch (InconsistentStateException)
                {
                    grainState.ETag = await StoredETagAsync<T>(stateName, grainId).ConfigureAwait(false);
                    await inner.ClearStateAsync(stateName, grainId, grainState).ConfigureAwait(false);
                }
            },
            "clear",
            grainId).ConfigureAwait(false);
        await replication.WaitAsync(stateName).ConfigureAwait(false);
    }

    private async Task<string?> StoredETagAsync<T>(string stateName, GrainId grainId)
    {
        var stored = new GrainState<T>();
        await inner.ReadStateAsync(stateName, grainId, stored).ConfigureAwait(false);
        ClusterMetrics.OverwroteStoredState();
        Log.Overwriting(logger, stateName, LogText.Escape(grainId.ToString()), stored.RecordExists);
        return stored.ETag;
    }

    private async Task RetryAsync(Func<Task> operation, string what, GrainId grainId)
    {
        var started = Stopwatch.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await operation().ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is not InconsistentStateException && Stopwatch.GetElapsedTime(started) + RetryDelay < FailoverWait)
            {
                ClusterMetrics.RetriedOperation();
                Log.Retrying(logger, what, LogText.Escape(grainId.ToString()), attempt, ex.GetType().Name);
                await Task.Delay(RetryDelay).ConfigureAwait(false);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.RedisStaleStateOverwritten, Level = LogLevel.Warning, Message = "Stored {State} state of {GrainId} is not the version the grain last wrote (a Redis failover; record exists: {Exists}): writing the active grain's state over it")]
        public static partial void Overwriting(ILogger logger, string state, string grainId, bool exists);

        [LoggerMessage(EventId = EventIds.RedisStateRetried, Level = LogLevel.Information, Message = "Redis did not answer a state {What} of {GrainId} (attempt {Attempt}: {ExceptionType}); retrying while a failover may be in progress")]
        public static partial void Retrying(ILogger logger, string what, string grainId, int attempt, string exceptionType);
    }
}
