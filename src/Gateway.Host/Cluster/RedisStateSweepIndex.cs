using Gateway.Grains.Retention;
using StackExchange.Redis;

namespace Gateway.Host.Cluster;

/// <summary>
/// The sweep index in the cluster's Redis: one sorted set per service (<c>{ServiceId}/sweep</c>), members
/// <see cref="SweepEntry"/> strings scored by their due time in Unix milliseconds. It holds only entries of state that
/// will expire, and each leaves when its grain deletes that state, so it empties with the state it indexes.
/// </summary>
/// <remarks>It uses the connection clustering uses (<see cref="SharedRedisMultiplexer"/>), which closes it.</remarks>
public sealed class RedisStateSweepIndex(SharedRedisMultiplexer redis, string serviceId) : IStateSweepIndex
{
    private readonly RedisKey _key = serviceId + "/sweep";

    /// <inheritdoc />
    public async Task ScheduleAsync(SweepEntry entry, DateTimeOffset at) =>
        await (await DatabaseAsync().ConfigureAwait(false)).SortedSetAddAsync(_key, entry.ToString(), at.ToUnixTimeMilliseconds()).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task CancelAsync(SweepEntry entry) =>
        await (await DatabaseAsync().ConfigureAwait(false)).SortedSetRemoveAsync(_key, entry.ToString()).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<IReadOnlyList<SweepEntry>> DueAsync(DateTimeOffset now, int max)
    {
        var members = await (await DatabaseAsync().ConfigureAwait(false))
            .SortedSetRangeByScoreAsync(_key, double.NegativeInfinity, now.ToUnixTimeMilliseconds(), take: max).ConfigureAwait(false);
        var due = new List<SweepEntry>(members.Length);
        foreach (var member in members)
        {
            if (SweepEntry.TryParse(member.ToString(), out var entry))
            {
                due.Add(entry);
            }
        }

        return due;
    }

    /// <inheritdoc />
    public async Task<long> CountAsync() => await (await DatabaseAsync().ConfigureAwait(false)).SortedSetLengthAsync(_key).ConfigureAwait(false);

    private Task<IDatabase> DatabaseAsync() => redis.DatabaseAsync();
}
