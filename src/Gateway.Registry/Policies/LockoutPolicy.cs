namespace Gateway.Registry.Policies;

/// <summary>
/// The lockout rules over one record: they read it with the <c>now</c> they are given and update it in place (a failure,
/// a success, an unlock); no clock, no I/O, nothing stored: the caller persists the record.
/// </summary>
public static class LockoutPolicy
{
    /// <summary>True while the subject is locked at <paramref name="now"/>.</summary>
    public static bool IsLocked(ILockoutRecord record, DateTimeOffset now) => record.LockedUntil is { } until && now < until;

    /// <summary>Failures counted at <paramref name="now"/> (within the window; a lock that ended cleared them).</summary>
    public static int CountFailures(ILockoutRecord record, LockoutRule rule, DateTimeOffset now)
    {
        Prune(record, rule, now);
        return record.Failures.Count;
    }

    /// <summary>
    /// Records one failed verification. Returns the lock it caused (when this failure reached
    /// <see cref="LockoutRule.MaxFailures"/>), or null.
    /// </summary>
    public static LockoutEvent? RecordFailure(ILockoutRecord record, LockoutRule rule, DateTimeOffset now)
    {
        Prune(record, rule, now);
        if (IsLocked(record, now))
        {
            return null;
        }

        record.Failures.Add(now);
        if (record.Failures.Count < rule.MaxFailures)
        {
            return null;
        }

        // A lock long after the previous one ended starts the doubling again.
        if (record.LockedUntil is { } previous && now - previous > rule.MaxDuration)
        {
            record.LockCount = 0;
        }

        var duration = LockDuration(rule, record.LockCount);
        record.LockCount++;
        record.LockedUntil = now + duration;
        var failures = record.Failures.Count;
        record.Failures.Clear();
        return new LockoutEvent(record.LockedUntil.Value, failures, record.LockCount);
    }

    /// <summary>A success resets the failure count and the doubling.</summary>
    public static void RecordSuccess(ILockoutRecord record)
    {
        record.Failures.Clear();
        record.LockCount = 0;
    }

    /// <summary>Clears failures and any lock (an operator's unlock).</summary>
    public static void Unlock(ILockoutRecord record)
    {
        record.Failures.Clear();
        record.LockedUntil = null;
        record.LockCount = 0;
    }

    /// <summary>True when the record holds nothing worth keeping at <paramref name="now"/>.</summary>
    public static bool IsIdle(ILockoutRecord record, LockoutRule rule, DateTimeOffset now)
    {
        Prune(record, rule, now);
        return record.Failures.Count == 0 && !IsLocked(record, now) && (record.LockedUntil is not { } until || now - until > rule.MaxDuration);
    }

    /// <summary>
    /// When the record will have nothing left to remember if nothing else happens (<see cref="IsIdle"/> true from then
    /// on): its last failure has left the window and its last lock has been over for <see cref="LockoutRule.MaxDuration"/>
    /// (until then a new lock doubles). Null when it holds nothing.
    /// </summary>
    public static DateTimeOffset? ForgetAt(ILockoutRecord record, LockoutRule rule)
    {
        ArgumentNullException.ThrowIfNull(record);
        DateTimeOffset? at = record.Failures.Count > 0 ? record.Failures[^1] + rule.Window : null;
        if (record.LockedUntil is { } until && (at is null || until + rule.MaxDuration > at))
        {
            at = until + rule.MaxDuration;
        }

        return at;
    }

    /// <summary>The length of lock number <paramref name="previousLocks"/> + 1: Duration × 2^previous, at most MaxDuration.</summary>
    public static TimeSpan LockDuration(LockoutRule rule, int previousLocks)
    {
        var duration = rule.Duration;
        for (var i = 0; i < previousLocks && duration < rule.MaxDuration; i++)
        {
            duration += duration;
        }

        return duration > rule.MaxDuration ? rule.MaxDuration : duration;
    }

    private static void Prune(ILockoutRecord record, LockoutRule rule, DateTimeOffset now)
    {
        var cutoff = now - rule.Window;
        var stale = 0;
        while (stale < record.Failures.Count && record.Failures[stale] <= cutoff)
        {
            stale++;
        }

        if (stale > 0)
        {
            record.Failures.RemoveRange(0, stale);
        }
    }
}
