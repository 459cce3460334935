using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Gateway.Registry.Logging;

namespace Gateway.Edge.Caching;

/// <summary>Connects the cache to the invalidation channel when the cache is on.</summary>
public sealed partial class CacheInvalidationService(
    IOptions<CacheOptions> options,
    EdgeAnswerCache cache,
    ICacheInvalidationChannel channel,
    CacheMetrics metrics,
    ILogger<CacheInvalidationService> logger) : IHostedService
{
    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            return Task.CompletedTask;
        }

        return channel.StartAsync(
            address =>
            {
                var dropped = cache.Invalidate(address);
                metrics.Invalidated("received", dropped);
            },
            () =>
            {
                cache.Clear();
                metrics.Invalidated("channel_lost", 0);
                Log.ChannelLost(logger);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.EdgeCacheCleared, Level = LogLevel.Warning, Message = "Edge cache cleared: invalidations from other nodes may have been missed; answers are fetched from the registry until the channel is back")]
        public static partial void ChannelLost(ILogger logger);
    }
}
