using Gateway.Edge.Caching;
using StackExchange.Redis;

namespace Gateway.EndToEnd.Tests.Caching;

/// <summary>
/// A third party on the cluster's invalidation channel that behaves like a slow node: it hears each invalidation and
/// confirms it after <c>delay</c> (never, with <see cref="Timeout.InfiniteTimeSpan"/>), as a node does once the address
/// is gone from its cache.
/// </summary>
public sealed class LateNode : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _redis;

    private LateNode(ConnectionMultiplexer redis) => _redis = redis;

    public static async Task<LateNode> JoinAsync(EdgeCacheClusterFixture cluster, TimeSpan delay, Action confirming)
    {
        var channel = $"registry-gateway/{cluster.Cluster.Template.ClusterId}/edge-cache";
        var redis = await ConnectionMultiplexer.ConnectAsync(cluster.Redis.ConnectionString);
        var node = NodeIds.New();
        var subscriber = redis.GetSubscriber();
        await subscriber.SubscribeAsync(RedisChannel.Literal(channel), (from, message) =>
        {
            if (delay == Timeout.InfiniteTimeSpan || !InvalidationMessage.TryParse(message.ToString(), out var heard) || !heard.WantsConfirmation)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                await Task.Delay(delay);
                confirming();
                await subscriber.PublishAsync(RedisChannel.Literal($"{channel}/ack/{heard.Origin}"), $"{heard.Sequence}\n{node}");
            });
        });
        return new LateNode(redis);
    }

    public async ValueTask DisposeAsync() => await _redis.DisposeAsync();
}
