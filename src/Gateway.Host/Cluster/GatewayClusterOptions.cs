namespace Gateway.Host.Cluster;

/// <summary>Clustering of edges and silos (section <c>Gateway:Cluster</c>).</summary>
public sealed class GatewayClusterOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Gateway:Cluster";

    /// <summary><c>localhost</c> (default) or <c>redis</c>.</summary>
    public string Provider { get; set; } = "localhost";

    /// <summary>
    /// The Redis connection string (StackExchange.Redis format), required with <c>redis</c>: one server
    /// (<c>redis:6379</c>), Sentinels with the monitored primary's name
    /// (<c>sentinel-0:26379,sentinel-1:26379,sentinel-2:26379,serviceName=gateway</c>: the current primary is asked of
    /// them, and followed through a failover), or the nodes of a Redis Cluster.
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>
    /// How long each grain state write (a lock, a failure count, a machine account) waits for a replica to confirm it
    /// (Redis <c>WAIT</c>) before the client gets its answer, so an answer the client saw survives a failover.
    /// Unconfirmed writes are logged (event 3102) and counted (<c>gateway.redis.replication.unconfirmed</c>); with no
    /// replica connected the wait is skipped for a few seconds at a time. Used with Sentinels only (a single server
    /// has no replica to wait for; in a Redis Cluster the wait is not asked). <c>00:00:00</c> turns it off.
    /// Default: 0.5 s.
    /// </summary>
    public TimeSpan ReplicationWait { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The cluster's id; nodes with the same id form one cluster. Default: <c>registry-gateway</c>.</summary>
    public string ClusterId { get; set; } = "registry-gateway";

    /// <summary>The service id (stable across deployments; keys persisted state). Default: <c>registry-gateway</c>.</summary>
    public string ServiceId { get; set; } = "registry-gateway";

    /// <summary>Silo-to-silo port. Default: 11111.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port edges (Orleans clients) connect to. Default: 30000.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// The address silos bind and advertise. Default: <c>127.0.0.1</c> (Orleans would otherwise pick the first
    /// non-loopback address). <c>auto</c> takes the machine's first non-loopback IPv4 address (a container's own).
    /// </summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>
    /// The key every node shares for credential fingerprints (at least 16 characters). Required with
    /// <c>redis</c>; with <c>localhost</c> a random one is made at start.
    /// </summary>
    public string? Secret { get; set; }

    /// <summary>A file holding <see cref="Secret"/> (e.g. a compose or Kubernetes secret); used when <see cref="Secret"/> is unset.</summary>
    public string? SecretFile { get; set; }

    /// <summary>How long a grain call may take before it fails (and the request gets 503). Default: 10 seconds.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often silos probe each other. A silo that misses 3 probes in a row is declared dead (one vote is
    /// enough, so a lone survivor can do it). Default: 1 second: a killed silo is gone in about 3–5 seconds.
    /// </summary>
    public TimeSpan ProbePeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Never prints the secret.</summary>
    public override string ToString() => $"{Provider} cluster '{ClusterId}'";
}
