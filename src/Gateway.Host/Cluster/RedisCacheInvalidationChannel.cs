using Gateway.Edge.Caching;
using StackExchange.Redis;

namespace Gateway.Host.Cluster;

/// <summary>
/// Edge cache invalidations over Redis pub/sub, on the cluster's own Redis (<c>{ServiceId}/{ClusterId}/edge-cache</c>).
/// Why Redis and not Orleans: every node already depends on this Redis; a PUBLISH reaches every subscribed node in one
/// hop without a grain, a silo or stream storage in between, and edge-only nodes (Orleans clients) can take part. Pub/sub
/// keeps no backlog, so the channel fails safe: from the moment a connection drops (Redis down, or a subscriber dropped
/// for a full output buffer) the node stops listening, clears its cache and forwards everything, and it serves from
/// memory again only after it has subscribed anew.
/// </summary>
public sealed partial class RedisCacheInvalidationChannel(string configuration, string channelName, ILogger<RedisCacheInvalidationChannel> logger)
    : ICacheInvalidationChannel, IAsyncDisposable
{
    /// <summary>How often a node that is not listening tries to subscribe again.</summary>
    internal static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    private readonly RedisChannel _channel = RedisChannel.Literal(channelName);
    private readonly CancellationTokenSource _stopping = new();
    private ConnectionMultiplexer? _connection;
    private Action<ContentAddress>? _received;
    private Action? _lost;
    private Task? _loop;
    private volatile bool _listening;

    /// <inheritdoc />
    public bool IsListening => _listening;

    /// <inheritdoc />
    public async Task StartAsync(Action<ContentAddress> received, Action lost, CancellationToken cancellationToken)
    {
        _received = received;
        _lost = lost;
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false; // the edge starts without Redis and listens once it is there
        _connection = await ConnectionMultiplexer.ConnectAsync(options);
        _connection.ConnectionFailed += (_, e) => Lose(e.FailureType.ToString());
        _loop = Task.Run(ListenLoopAsync, CancellationToken.None);
    }

    /// <inheritdoc />
    public async Task<bool> PublishAsync(ContentAddress address, CancellationToken cancellationToken)
    {
        if (_connection is not { IsConnected: true } connection)
        {
            return false;
        }

        try
        {
            await connection.GetSubscriber().PublishAsync(_channel, address.ToWire()).WaitAsync(cancellationToken);
            return true;
        }
        catch (RedisException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        _stopping.Dispose();
    }

    private void Lose(string why)
    {
        if (_listening)
        {
            _listening = false;
            Log.Lost(logger, why);
        }

        // Cleared even when not listening: entries kept by a fill that raced the failure go too.
        _lost?.Invoke();
    }

    private async Task ListenLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            if (!_listening && _connection is { IsConnected: true } connection)
            {
                try
                {
                    var subscriber = connection.GetSubscriber();
                    await subscriber.UnsubscribeAsync(_channel);
                    await subscriber.SubscribeAsync(_channel, (_, message) =>
                    {
                        if (ContentAddress.TryParseWire(message.ToString(), out var address))
                        {
                            _received?.Invoke(address);
                        }
                    });

                    // Whatever was published while not listening is lost: start from nothing.
                    _lost?.Invoke();
                    _listening = connection.IsConnected;
                    if (_listening)
                    {
                        Log.Listening(logger, channelName);
                    }
                }
                catch (RedisException ex)
                {
                    Log.SubscribeFailed(logger, ex.GetType().Name);
                }
            }

            try
            {
                await Task.Delay(RetryInterval, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1611, Level = LogLevel.Information, Message = "Edge cache listening for invalidations on Redis channel {Channel}")]
        public static partial void Listening(ILogger logger, string channel);

        [LoggerMessage(EventId = 1612, Level = LogLevel.Warning, Message = "Edge cache stopped listening for invalidations ({Reason}): serving nothing from memory until subscribed again")]
        public static partial void Lost(ILogger logger, string reason);

        [LoggerMessage(EventId = 1613, Level = LogLevel.Debug, Message = "Edge cache could not subscribe to invalidations yet ({Error})")]
        public static partial void SubscribeFailed(ILogger logger, string error);
    }
}
