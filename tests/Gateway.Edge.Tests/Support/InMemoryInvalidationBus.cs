using Gateway.Edge.Caching;

namespace Gateway.Edge.Tests.Support;

/// <summary>A cache invalidation channel shared by several test edges in one process; it can be made to go deaf.</summary>
public sealed class InMemoryInvalidationBus
{
    private readonly List<Channel> _channels = [];

    public int Published { get; private set; }

    /// <summary>A channel for one more edge.</summary>
    public ICacheInvalidationChannel Join()
    {
        var channel = new Channel(this);
        lock (_channels)
        {
            _channels.Add(channel);
        }

        return channel;
    }

    /// <summary>Every edge stops hearing (Redis gone): each clears its cache and forwards everything.</summary>
    public void Disconnect()
    {
        foreach (var channel in Snapshot())
        {
            channel.Listening = false;
            channel.Lost?.Invoke();
        }
    }

    private Channel[] Snapshot()
    {
        lock (_channels)
        {
            return [.. _channels];
        }
    }

    private sealed class Channel(InMemoryInvalidationBus bus) : ICacheInvalidationChannel
    {
        public bool Listening { get; set; } = true;

        public Action<ContentAddress>? Received { get; private set; }

        public Action? Lost { get; private set; }

        public bool IsListening => Listening;

        public Task StartAsync(Action<ContentAddress> received, Action lost, CancellationToken cancellationToken)
        {
            Received = received;
            Lost = lost;
            return Task.CompletedTask;
        }

        public Task<bool> PublishAsync(ContentAddress address, CancellationToken cancellationToken)
        {
            if (!Listening)
            {
                return Task.FromResult(false);
            }

            bus.Published++;
            foreach (var channel in bus.Snapshot())
            {
                channel.Received?.Invoke(address);
            }

            return Task.FromResult(true);
        }
    }
}
