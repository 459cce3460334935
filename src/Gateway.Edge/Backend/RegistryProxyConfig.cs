using System.Net;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Edge.Backend;

/// <summary>Builds YARP's route and cluster for the registry from <see cref="BackendOptions"/>.</summary>
public static class RegistryProxyConfig
{
    /// <summary>The route id of the <c>/v2/</c> API.</summary>
    public const string RouteId = "registry-v2";

    /// <summary>The cluster id of the registry replicas.</summary>
    public const string ClusterId = "registry";

    /// <summary>The route: everything under <c>/v2</c>, with no body size limit (blobs of many GiB).</summary>
    public static RouteConfig Route() => new()
    {
        RouteId = RouteId,
        ClusterId = ClusterId,
        Match = new RouteMatch { Path = "/v2/{**rest}" },
        MaxRequestBodySize = -1,
    };

    /// <summary>The cluster: every replica, round-robin, probed with <c>GET /v2/</c>, streamed without buffering.</summary>
    public static ClusterConfig Cluster(BackendOptions options) => new()
    {
        ClusterId = ClusterId,
        LoadBalancingPolicy = "RoundRobin",
        Destinations = options.Urls
            .Select((url, i) => (url, i))
            .ToDictionary(d => $"replica-{d.i}", d => new DestinationConfig { Address = d.url }),
        HealthCheck = new HealthCheckConfig
        {
            Active = new ActiveHealthCheckConfig
            {
                Enabled = true,
                Interval = options.HealthCheckInterval,
                Timeout = TimeSpan.FromSeconds(5),
                Path = "/v2/",
                Policy = AnyAnswerHealthPolicy.PolicyName,
            },
        },
        HttpClient = new HttpClientConfig
        {
            EnableMultipleHttp2Connections = true,
        },
        HttpRequest = new ForwarderRequestConfig
        {
            ActivityTimeout = options.ActivityTimeout,
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
            AllowResponseBuffering = false,
        },
    };
}
