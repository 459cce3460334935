namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>
/// N gateway nodes (role "all" unless the template says otherwise) clustered through Redis: the first node is
/// started and awaited first, then the others together. Disposing stops all nodes.
/// </summary>
public sealed class GatewayCluster : IAsyncDisposable
{
    private readonly List<GatewayNode> _nodes = [];

    private GatewayCluster(GatewayNodeOptions template) => Template = template;

    /// <summary>Options shared by all nodes (same ClusterId, Secret, Redis); ports are per node.</summary>
    public GatewayNodeOptions Template { get; }

    public IReadOnlyList<GatewayNode> Nodes => _nodes;

    public GatewayNode this[int index] => _nodes[index];

    public static Task<GatewayCluster> StartAsync(int count, RedisServer redis, GatewayNodeOptions? template = null) =>
        StartAsync(count, (template ?? new GatewayNodeOptions()).WithRedis(redis));

    /// <summary>Starts <paramref name="count"/> nodes from a template that names its Redis (<see cref="GatewayNodeOptions.WithRedis(string)"/>).</summary>
    public static async Task<GatewayCluster> StartAsync(int count, GatewayNodeOptions template)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentNullException.ThrowIfNull(template.Redis);
        var cluster = new GatewayCluster(template);
        try
        {
            await cluster.AddNodeAsync().ConfigureAwait(false);
            for (var i = 1; i < count; i++)
            {
                cluster._nodes.Add(await GatewayNode.StartAsync(cluster.Template, waitUntilReady: false).ConfigureAwait(false));
            }

            await Task.WhenAll(cluster._nodes.Skip(1).Select(n => n.WaitUntilReadyAsync())).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Starts one more node from the template (optionally changed) and waits until it is ready.</summary>
    public async Task<GatewayNode> AddNodeAsync(Func<GatewayNodeOptions, GatewayNodeOptions>? configure = null)
    {
        var node = await GatewayNode.StartAsync(configure is null ? Template : configure(Template)).ConfigureAwait(false);
        _nodes.Add(node);
        return node;
    }

    /// <summary>Stops all nodes at once. The nodes stay listed (exit codes and output remain readable).</summary>
    public async ValueTask DisposeAsync() =>
        await Task.WhenAll(_nodes.Select(n => n.DisposeAsync().AsTask())).ConfigureAwait(false);
}
