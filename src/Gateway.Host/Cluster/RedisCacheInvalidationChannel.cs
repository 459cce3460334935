using System.Globalization;
using Gateway.Edge.Caching;
using Gateway.Registry.Logging;
using StackExchange.Redis;

namespace Gateway.Host.Cluster;

/// <summary>
/// Edge cache invalidations over Redis pub/sub, on the cluster's own Redis (<c>{ServiceId}/{ClusterId}/edge-cache</c>).
/// Why Redis and not Orleans: every node already depends on this Redis; a PUBLISH reaches every subscribed node in one
/// hop without a grain, a silo or stream storage in between, and edge-only nodes (Orleans clients) can take part. Pub/sub
/// keeps no backlog, so the channel fails safe: from the moment a connection drops (Redis down, or a subscriber dropped
/// for a full output buffer) the node stops listening, clears its cache and forwards everything, and it serves from
/// memory again only after it has subscribed anew.
/// Each invalidation carries the publisher's node id and a number; every node that dropped the address confirms it on the
/// publisher's own channel (<c>…/edge-cache/ack/{node}</c>), and the publisher waits until as many nodes confirmed as
/// PUBLISH reached. Without that wait a client could send its next request to another node before that node had read the
/// message, and get the deleted answer once more.
/// </summary>
public sealed partial class RedisCacheInvalidationChannel(string configuration, string channelName, ILogger<RedisCacheInvalidationChannel> logger)
    : ICacheInvalidationChannel, IAsyncDisposable
{
    /// <summary>How often a node that is not listening tries to subscribe again.</summary>
    internal static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    private readonly RedisChannel _channel = RedisChannel.Literal(channelName);
    private readonly string _node = NodeIds.New();
    private readonly InvalidationConfirmations _confirmations = new();
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

        var sequence = _confirmations.Begin();
        try
        {
            var message = new InvalidationMessage(address, _node, sequence).ToWire();
            var receivers = await connection.GetSubscriber().PublishAsync(_channel, message).WaitAsync(cancellationToken);
            var confirmed = await _confirmations.WaitAsync(sequence, receivers, cancellationToken);
            if (confirmed < receivers)
            {
                Log.Unconfirmed(logger, receivers - confirmed, receivers);
                return false;
            }

            return true;
        }
        catch (RedisException)
        {
            return false;
        }
        finally
        {
            _confirmations.End(sequence);
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
                    await subscriber.UnsubscribeAsync(ConfirmationChannel(_node));

                    // Confirmations first: this node's own invalidations come back to it on the main channel too.
                    await subscriber.SubscribeAsync(ConfirmationChannel(_node), (_, message) => OnConfirmation(message.ToString()));
                    await subscriber.SubscribeAsync(_channel, (_, message) => OnInvalidation(subscriber, message.ToString()));

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

    private RedisChannel ConfirmationChannel(string node) => RedisChannel.Literal($"{channelName}/ack/{node}");

    private void OnInvalidation(ISubscriber subscriber, string text)
    {
        if (!InvalidationMessage.TryParse(text, out var message))
        {
            return;
        }

        _received?.Invoke(message.Address);
        if (message.WantsConfirmation)
        {
            // Sent after the address is gone from this node's cache, so the publisher's wait means what it says.
            subscriber.Publish(ConfirmationChannel(message.Origin), $"{message.Sequence.ToString(CultureInfo.InvariantCulture)}\n{_node}", CommandFlags.FireAndForget);
        }
    }

    private void OnConfirmation(string text)
    {
        var parts = text.Split('\n');
        if (parts.Length == 2
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
            && NodeIds.IsValid(parts[1]))
        {
            _confirmations.Confirm(sequence, parts[1]);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.EdgeCacheInvalidationUnconfirmed, Level = LogLevel.Warning, Message = "Edge cache: {Missing} of {Receivers} nodes did not confirm an invalidation in time; they may serve the deleted answer until Gateway:Cache:Ttl runs out")]
        public static partial void Unconfirmed(ILogger logger, long missing, long receivers);

        [LoggerMessage(EventId = EventIds.EdgeCacheListening, Level = LogLevel.Information, Message = "Edge cache listening for invalidations on Redis channel {Channel}")]
        public static partial void Listening(ILogger logger, string channel);

        [LoggerMessage(EventId = EventIds.EdgeCacheNotListening, Level = LogLevel.Warning, Message = "Edge cache stopped listening for invalidations ({Reason}): serving nothing from memory until subscribed again")]
        public static partial void Lost(ILogger logger, string reason);

        [LoggerMessage(EventId = EventIds.EdgeCacheSubscribeFailed, Level = LogLevel.Debug, Message = "Edge cache could not subscribe to invalidations yet ({Error})")]
        public static partial void SubscribeFailed(ILogger logger, string error);
    }
}
