namespace Gateway.Grains.Retention;

/// <summary>
/// Which grains hold state that will expire, and when (Redis: one sorted set; memory with localhost clustering). A
/// grain schedules itself after each change; a sweeper on each silo asks the due ones to forget what has expired. The
/// index never deletes state itself: only the grain does, through its own storage, so an active grain's view and its
/// stored record never disagree.
/// </summary>
public interface IStateSweepIndex
{
    /// <summary>Asks for <paramref name="entry"/> to be swept at <paramref name="at"/> (replacing an earlier time).</summary>
    Task ScheduleAsync(SweepEntry entry, DateTimeOffset at);

    /// <summary>Drops <paramref name="entry"/> (its state was deleted, or must be kept).</summary>
    Task CancelAsync(SweepEntry entry);

    /// <summary>Up to <paramref name="max"/> entries due at <paramref name="now"/>, earliest first.</summary>
    Task<IReadOnlyList<SweepEntry>> DueAsync(DateTimeOffset now, int max);

    /// <summary>How many entries are scheduled.</summary>
    Task<long> CountAsync();
}
