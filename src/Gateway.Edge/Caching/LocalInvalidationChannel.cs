namespace Gateway.Edge.Caching;

/// <summary>
/// The channel of a single node (<c>Gateway:Cluster:Provider=localhost</c>): there is nobody else to tell, and the node
/// invalidates its own entries as the <c>DELETE</c> passes.
/// </summary>
public sealed class LocalInvalidationChannel : ICacheInvalidationChannel
{
    private Action<ContentAddress>? _received;

    /// <inheritdoc />
    public bool IsListening => true;

    /// <inheritdoc />
    public Task StartAsync(Action<ContentAddress> received, Action lost, CancellationToken cancellationToken)
    {
        _received = received;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<bool> PublishAsync(ContentAddress address, CancellationToken cancellationToken)
    {
        _received?.Invoke(address);
        return Task.FromResult(true);
    }
}
