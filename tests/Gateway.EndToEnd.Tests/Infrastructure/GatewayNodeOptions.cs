using System.Security.Cryptography;

namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Settings of one gateway node, turned into environment variables (.NET configuration, "__" separators).
/// Ports left null are picked (free) when the node starts, so a template can be shared by several nodes
/// with <c>with</c>; ClusterId and Secret are generated once per options instance and shared that way.
/// </summary>
public sealed record GatewayNodeOptions
{
    /// <summary>Gateway__Role: all, edge or silo.</summary>
    public string Role { get; init; } = "all";

    /// <summary>Gateway__Backend__Urls__n: registry base URLs.</summary>
    public IReadOnlyList<string> BackendUrls { get; init; } = [];

    public string? HtpasswdFile { get; init; }

    public string? Realm { get; init; }

    public TimeSpan? AuthCacheTtl { get; init; }

    /// <summary>Gateway__Cluster__Provider: localhost or redis.</summary>
    public string ClusterProvider { get; init; } = "localhost";

    /// <summary>Gateway__Cluster__Redis connection string (needed with provider redis).</summary>
    public string? Redis { get; init; }

    public string ClusterId { get; init; } = "e2e-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    public string Secret { get; init; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>Orleans silo-to-silo port; null: a free one at start.</summary>
    public int? SiloPort { get; init; }

    /// <summary>Orleans client gateway port; null: a free one at start.</summary>
    public int? GatewayPort { get; init; }

    public string AdvertisedAddress { get; init; } = "127.0.0.1";

    public IReadOnlyList<string> KnownProxies { get; init; } = [];

    public TimeSpan DrainDelay { get; init; } = TimeSpan.Zero;

    public TimeSpan? ShutdownTimeout { get; init; }

    /// <summary>HTTP(S) port on 127.0.0.1; null: a free one at start.</summary>
    public int? Port { get; init; }

    /// <summary>
    /// Gateway__Telemetry__MetricsPort, served on 127.0.0.1 (plain HTTP) by a Kestrel endpoint of its own; null: a free
    /// one at start. Every node needs its own: the gateway's default (9464) would collide between nodes.
    /// </summary>
    public int? MetricsPort { get; init; }

    /// <summary>PEM chain for Kestrel; with it the node serves HTTPS, without it plain HTTP.</summary>
    public string? CertificatePath { get; init; }

    public string? CertificateKeyPath { get; init; }

    public string LogLevelDefault { get; init; } = "Information";

    /// <summary>Logging__LogLevel__Gateway (e.g. "Debug"); null: not set.</summary>
    public string? LogLevelGateway { get; init; }

    /// <summary>Extra environment variables (null value: remove the variable).</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>Bound on waiting for /healthz/ready.</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long DisposeAsync/StopAsync waits after SIGTERM before SIGKILL.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public bool UseHttps => CertificatePath is not null;

    /// <summary>Serve HTTPS with the test PKI's domain.crt/domain.key.</summary>
    public GatewayNodeOptions WithTls(TestPki pki) =>
        this with { CertificatePath = pki.ServerCertificatePath, CertificateKeyPath = pki.ServerKeyPath };

    /// <summary>Cluster through Redis.</summary>
    public GatewayNodeOptions WithRedis(RedisServer redis) => WithRedis(redis.ConnectionString);

    /// <summary>Cluster through the Redis a connection string names (e.g. <see cref="RedisSentinelSet.ConnectionString"/>).</summary>
    public GatewayNodeOptions WithRedis(string connectionString) =>
        this with { ClusterProvider = "redis", Redis = connectionString };
}
