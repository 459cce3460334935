namespace Gateway.Edge.Backend;

/// <summary>The registry replicas the edge forwards to (section <c>Gateway:Backend</c>).</summary>
public sealed class BackendOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Gateway:Backend";

    /// <summary>
    /// Base URLs of the registry replicas, e.g. <c>http://127.0.0.1:5000</c>. Required on edges. Replicas must share
    /// storage and <c>http.secret</c>: the requests of one upload may reach different replicas.
    /// </summary>
    public List<string> Urls { get; set; } = [];

    /// <summary>
    /// How long a proxied transfer may stay idle (no bytes either way) before it is cut. Default: 15 minutes
    /// (the recipe's <c>proxy_read_timeout 900</c>; a registry can take long to answer the final PUT of a big blob).
    /// </summary>
    public TimeSpan ActivityTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often each replica is probed (<c>GET /v2/</c>; any HTTP answer is healthy). Default: 5 seconds.</summary>
    public TimeSpan HealthCheckInterval { get; set; } = TimeSpan.FromSeconds(5);
}
