using Gateway.EndToEnd.Tests.DirectAuth;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.EndToEnd.Tests.LoadBalancing;

/// <summary>
/// N edges (role edge) behind the repository's HAProxy configuration, on the fixture's silos and registries. Edges
/// can be added (started, then put into HAProxy's list with a graceful reload, as deploy/local-cluster.sh does) and
/// taken out. Disposing stops HAProxy and every edge.
/// </summary>
public sealed class LoadBalancedEdges : IAsyncDisposable
{
    private readonly LoadBalancingFixture _fixture;
    private readonly List<GatewayNode> _edges = [];
    private readonly List<GatewayNode> _inRotation = [];

    private LoadBalancedEdges(LoadBalancingFixture fixture) => _fixture = fixture;

    public HaproxyServer Haproxy { get; private set; } = null!;

    /// <summary>Every edge started, including those stopped or killed since.</summary>
    public IReadOnlyList<GatewayNode> Edges => _edges;

    /// <summary>HAProxy's server name of an edge.</summary>
    public static string NameOf(GatewayNode edge) => $"edge-{edge.Port}";

    public static async Task<LoadBalancedEdges> StartAsync(LoadBalancingFixture fixture, int count)
    {
        var edges = new LoadBalancedEdges(fixture);
        try
        {
            for (var i = 0; i < count; i++)
            {
                edges._edges.Add(await GatewayNode.StartAsync(fixture.EdgeTemplate, waitUntilReady: false));
            }

            await Task.WhenAll(edges._edges.Select(e => e.WaitUntilReadyAsync()));
            edges._inRotation.AddRange(edges._edges);
            edges.Haproxy = await HaproxyServer.StartAsync(fixture.Temp, fixture.Pki.ServerCertificatePath, fixture.Pki.ServerKeyPath, edges.Servers());
            foreach (var edge in edges._edges)
            {
                await edges.Haproxy.WaitForServerStatusAsync(NameOf(edge), "UP");
            }

            return edges;
        }
        catch
        {
            await edges.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts one more edge, waits until it is ready, adds it to HAProxy (graceful reload) and waits until HAProxy sees it UP.</summary>
    public async Task<GatewayNode> AddEdgeAsync()
    {
        var edge = await GatewayNode.StartAsync(_fixture.EdgeTemplate);
        _edges.Add(edge);
        _inRotation.Add(edge);
        await Haproxy.SetServersAsync(Servers());
        await Haproxy.WaitForServerStatusAsync(NameOf(edge), "UP");
        return edge;
    }

    /// <summary>Takes an edge out of HAProxy's list (graceful reload); the process is left as it is.</summary>
    public async Task RemoveFromRotationAsync(GatewayNode edge)
    {
        _inRotation.Remove(edge);
        await Haproxy.SetServersAsync(Servers());
    }

    /// <summary>gateway_auth_decisions_total of each running edge (decisions on /v2/ requests: one per request it carried).</summary>
    public async Task<Dictionary<GatewayNode, double>> DecisionsAsync()
    {
        var result = new Dictionary<GatewayNode, double>();
        foreach (var edge in _edges.Where(e => !e.Process.HasExited))
        {
            result[edge] = await Metrics.SumAsync(edge, "gateway_auth_decisions_total");
        }

        return result;
    }

    /// <summary>Requests HAProxy sent to each server of backend "edges" (stot), by server name.</summary>
    public async Task<Dictionary<string, long>> RequestsPerServerAsync() =>
        (await Haproxy.GetServerStatsAsync()).ToDictionary(s => s.Key, s => s.Value.TotalSessions);

    public async ValueTask DisposeAsync()
    {
        if (Haproxy is not null)
        {
            await Haproxy.DisposeAsync();
        }

        await Task.WhenAll(_edges.Select(e => e.DisposeAsync().AsTask()));
    }

    private List<HaproxyBackendServer> Servers() => [.. _inRotation.Select(e => new HaproxyBackendServer(NameOf(e), e.Port))];
}
