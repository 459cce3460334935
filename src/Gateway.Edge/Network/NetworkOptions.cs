namespace Gateway.Edge.Network;

/// <summary>Where client addresses come from (section <c>Gateway:Network</c>).</summary>
public sealed class NetworkOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Gateway:Network";

    /// <summary>
    /// Addresses of trusted proxies (load balancers). Only when the direct peer is one of them is the client
    /// address taken from <c>X-Forwarded-For</c> (and the scheme from <c>X-Forwarded-Proto</c>); otherwise it is
    /// the socket's peer. Default: none (loopback is not trusted either).
    /// </summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies in CIDR form (e.g. <c>10.0.0.0/8</c>), for balancers without fixed addresses. Default: none.</summary>
    public List<string> KnownNetworks { get; set; } = [];

    /// <summary>True when any proxy is trusted.</summary>
    public bool TrustsProxies => KnownProxies.Count > 0 || KnownNetworks.Count > 0;
}
