namespace Gateway.Edge.Caching;

/// <summary>
/// How the nodes tell each other that a content address was deleted. A node serves from its cache only while
/// <see cref="IsListening"/>: one that may have missed an invalidation clears its cache and forwards everything until
/// it hears again (fail safe: a lost channel costs registry lookups, never a stale answer).
/// </summary>
public interface ICacheInvalidationChannel
{
    /// <summary>True while every invalidation published by any node reaches this one.</summary>
    bool IsListening { get; }

    /// <summary>Starts listening: <paramref name="received"/> for each invalidation, <paramref name="lost"/> whenever some may have been missed.</summary>
    Task StartAsync(Action<ContentAddress> received, Action lost, CancellationToken cancellationToken);

    /// <summary>
    /// Tells every node (this one included) and returns once each node that received it has dropped the address; false
    /// when it could not be sent, or not every receiver confirmed, before <paramref name="cancellationToken"/> fired.
    /// </summary>
    Task<bool> PublishAsync(ContentAddress address, CancellationToken cancellationToken);
}
