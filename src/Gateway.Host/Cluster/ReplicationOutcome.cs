namespace Gateway.Host.Cluster;

/// <summary>What a replica said about the writes before a <see cref="RedisReplicationBarrier.WaitAsync"/>.</summary>
public enum ReplicationOutcome
{
    /// <summary>At least one replica has them: they survive a failover to it.</summary>
    Confirmed,

    /// <summary>No replica confirmed them in time (or none is connected): a failover now may lose them.</summary>
    Unconfirmed,

    /// <summary>Not asked: the wait is off (<c>ReplicationWait</c> 0, no Sentinels) or the servers are a Redis Cluster (see deploy/README).</summary>
    NotAsked,
}
