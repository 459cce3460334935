using StackExchange.Redis;

namespace Gateway.Host.Cluster;

/// <summary>
/// One Redis connection (<see cref="ConnectionMultiplexer"/>) shared by several users in a process, made on first use
/// and closed when the process's services are disposed (after Orleans has stopped).
/// </summary>
/// <remarks>
/// Why shared: with Sentinels, StackExchange.Redis follows a failover with blocking calls on thread-pool threads, per
/// connection. Clustering, storage and the sweep index each with their own connection stalled a node of a 2-core
/// machine for seconds during a failover; fewer connections, fewer stalls.
/// </remarks>
public sealed class SharedRedisMultiplexer(ConfigurationOptions options) : IAsyncDisposable
{
    private readonly Lazy<Task<ConnectionMultiplexer>> _connection = new(() => ConnectionMultiplexer.ConnectAsync(options.Clone()));

    /// <summary>The connection.</summary>
    public async Task<IConnectionMultiplexer> GetAsync() => await _connection.Value.ConfigureAwait(false);

    /// <summary>
    /// The connection for Orleans' Redis providers, marked shared: they leave it open when they stop (membership stops
    /// after storage, and a connection closed by storage would fail a silo's last membership write on shutdown).
    /// </summary>
    public async Task<(IConnectionMultiplexer Multiplexer, bool IsShared)> ForOrleansAsync() => (await GetAsync().ConfigureAwait(false), true);

    /// <summary>The connection's database 0.</summary>
    public async Task<IDatabase> DatabaseAsync() => (await _connection.Value.ConfigureAwait(false)).GetDatabase();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_connection.IsValueCreated && _connection.Value.IsCompletedSuccessfully)
        {
            await _connection.Value.Result.DisposeAsync().ConfigureAwait(false);
        }
    }
}
