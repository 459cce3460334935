using System.Diagnostics;
using StackExchange.Redis;
using Gateway.Registry.Logging;

namespace Gateway.Host.Cluster;

/// <summary>
/// Waits after a state write until a replica has it (Redis <c>WAIT 1 ms</c> on the connection that wrote it), so a
/// write the client was told about survives a failover to that replica.
/// </summary>
/// <remarks>
/// <c>WAIT</c> holds the connection that sends it (the node's one Redis connection) until a replica answers, about a
/// millisecond with a healthy replica. With no replica connected every <c>WAIT</c> would take the whole timeout: after
/// one comes back unconfirmed, writes are not held for <see cref="SkipAfterUnconfirmed"/> (they are counted as
/// unconfirmed), then it asks again.
/// </remarks>
public sealed partial class RedisReplicationBarrier(SharedRedisMultiplexer storage, TimeSpan wait, ILogger<RedisReplicationBarrier> logger)
{
    /// <summary>How long writes are not held after a wait found no replica.</summary>
    internal static readonly TimeSpan SkipAfterUnconfirmed = TimeSpan.FromSeconds(5);

    private long _skipUntil;
    private bool? _cluster;

    /// <summary>Waits until a replica confirms every write this connection sent before, at most <c>ReplicationWait</c>.</summary>
    public async Task<ReplicationOutcome> WaitAsync(string what)
    {
        if (wait <= TimeSpan.Zero)
        {
            return ReplicationOutcome.NotAsked;
        }

        var connection = await storage.GetAsync().ConfigureAwait(false);

        // In a Redis Cluster the write went to the key's primary, and WAIT without a key would go to any primary.
        _cluster ??= connection.GetServers().Any(s => s.ServerType == ServerType.Cluster);
        if (_cluster.Value)
        {
            return ReplicationOutcome.NotAsked;
        }

        if (Stopwatch.GetTimestamp() < Interlocked.Read(ref _skipUntil))
        {
            ClusterMetrics.UnconfirmedWrite();
            return ReplicationOutcome.Unconfirmed;
        }

        long replicas;
        try
        {
            replicas = (long)await connection.GetDatabase().ExecuteAsync("WAIT", 1, (long)wait.TotalMilliseconds).ConfigureAwait(false);
        }
        catch (RedisException ex)
        {
            // The write itself succeeded; only the confirmation is missing (the primary went away right after it).
            Log.WaitFailed(logger, what, ex.GetType().Name);
            replicas = 0;
        }

        if (replicas >= 1)
        {
            return ReplicationOutcome.Confirmed;
        }

        Interlocked.Exchange(ref _skipUntil, Stopwatch.GetTimestamp() + (long)(SkipAfterUnconfirmed.TotalSeconds * Stopwatch.Frequency));
        ClusterMetrics.UnconfirmedWrite();
        Log.Unconfirmed(logger, what, wait, SkipAfterUnconfirmed);
        return ReplicationOutcome.Unconfirmed;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.RedisWriteUnconfirmed, Level = LogLevel.Warning, Message = "No Redis replica confirmed the write of {What} within {Wait}: a failover now could lose it. Writes are not held for replicas for the next {Skip}")]
        public static partial void Unconfirmed(ILogger logger, string what, TimeSpan wait, TimeSpan skip);

        [LoggerMessage(EventId = EventIds.RedisReplicaWaitFailed, Level = LogLevel.Warning, Message = "Waiting for a Redis replica to confirm the write of {What} failed: {ExceptionType}")]
        public static partial void WaitFailed(ILogger logger, string what, string exceptionType);
    }
}
