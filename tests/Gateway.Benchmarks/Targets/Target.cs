using Gateway.Benchmarks.Load;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.Benchmarks.Targets;

/// <summary>One thing clients talk to: the registry alone, an nginx in front of it, or gateway node(s).</summary>
public sealed class Target
{
    public required string Name { get; init; }

    /// <summary>What it is, for the report.</summary>
    public required string Description { get; init; }

    /// <summary>http(s)://127.0.0.1:port/</summary>
    public required Uri BaseUri { get; init; }

    /// <summary>True when it checks passwords (the flood applies).</summary>
    public bool Authenticates { get; init; }

    /// <summary>The bcrypt cost of its htpasswd file, when it authenticates.</summary>
    public int? BcryptCost { get; init; }

    /// <summary>Group leaders of the processes that do the target's work in front of the registry (empty for direct).</summary>
    public IReadOnlyList<ManagedProcess> ProxyProcesses { get; init; } = [];

    /// <summary>Gateway nodes (their /metrics tell bcrypt counts); empty for the others.</summary>
    public IReadOnlyList<GatewayNode> GatewayNodes { get; init; } = [];

    public bool IsGateway => GatewayNodes.Count > 0;

    /// <summary>"127.0.0.1:port", as in image references.</summary>
    public string HostPort => BaseUri.Authority;

    public bool Tls => BaseUri.Scheme == Uri.UriSchemeHttps;

    /// <summary>Every live proxy process now (nginx master and workers, gateway nodes, HAProxy, Redis).</summary>
    public IReadOnlyList<int> ProxyPids() => ProcFs.Processes(ProxyProcesses);

    public override string ToString() => Name;
}
