using System.Diagnostics.Metrics;

namespace Gateway.Host.Cluster;

/// <summary>The cluster connection's instruments (meter <c>Gateway.Cluster</c>, exported with every <c>Gateway.*</c> meter).</summary>
internal static class ClusterMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Gateway.Cluster";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Unconfirmed = Meter.CreateCounter<long>(
        "gateway.redis.replication.unconfirmed", "{write}", "Grain state writes (locks, failure counts, machine accounts) no Redis replica confirmed within Gateway:Cluster:ReplicationWait: a failover now could lose them.");

    private static readonly Counter<long> Overwritten = Meter.CreateCounter<long>(
        "gateway.redis.state.overwritten", "{write}", "Grain state writes that found an older stored copy (after a Redis failover) and wrote the active grain's state over it.");

    private static readonly Counter<long> Retried = Meter.CreateCounter<long>(
        "gateway.redis.state.retried", "{operation}", "Grain state reads and writes retried because Redis did not answer (a failover in progress).");

    public static void UnconfirmedWrite() => Unconfirmed.Add(1);

    public static void OverwroteStoredState() => Overwritten.Add(1);

    public static void RetriedOperation() => Retried.Add(1);
}
