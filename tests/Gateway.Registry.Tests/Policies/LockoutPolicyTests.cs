using Gateway.Registry.Policies;

namespace Gateway.Registry.Tests.Policies;

public sealed class LockoutPolicyTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly LockoutRule Rule = new(
        MaxFailures: 3,
        Window: TimeSpan.FromMinutes(15),
        Duration: TimeSpan.FromMinutes(10),
        MaxDuration: TimeSpan.FromMinutes(80));

    [Fact]
    public void RecordFailure_BelowMaxFailures_NoLockAndCounted()
    {
        var record = new Record();

        var first = LockoutPolicy.RecordFailure(record, Rule, T0);
        var second = LockoutPolicy.RecordFailure(record, Rule, T0.AddSeconds(1));

        Assert.Null(first);
        Assert.Null(second);
        Assert.False(LockoutPolicy.IsLocked(record, T0.AddSeconds(1)));
        Assert.Null(record.LockedUntil);
        Assert.Equal(2, LockoutPolicy.CountFailures(record, Rule, T0.AddSeconds(1)));
    }

    [Fact]
    public void RecordFailure_MaxFailuresReached_LocksUntilNowPlusDurationAndReturnsEvent()
    {
        var record = new Record();
        var now = T0.AddSeconds(2);
        LockoutPolicy.RecordFailure(record, Rule, T0);
        LockoutPolicy.RecordFailure(record, Rule, T0.AddSeconds(1));

        var locked = LockoutPolicy.RecordFailure(record, Rule, now);

        Assert.Equal(new LockoutEvent(now + Rule.Duration, Rule.MaxFailures, 1), locked);
        Assert.Equal(now + Rule.Duration, record.LockedUntil);
        Assert.Equal(1, record.LockCount);
        Assert.True(LockoutPolicy.IsLocked(record, now));
        Assert.True(LockoutPolicy.IsLocked(record, now + Rule.Duration - TimeSpan.FromTicks(1)));
        Assert.False(LockoutPolicy.IsLocked(record, now + Rule.Duration));
        Assert.Equal(0, LockoutPolicy.CountFailures(record, Rule, now)); // the lock took the failures
    }

    [Fact]
    public void RecordFailure_FailuresOlderThanWindow_Forgotten()
    {
        var record = new Record();
        LockoutPolicy.RecordFailure(record, Rule, T0);
        LockoutPolicy.RecordFailure(record, Rule, T0.AddMinutes(1));

        // The first failure is exactly one window old here: no longer counted.
        var third = LockoutPolicy.RecordFailure(record, Rule, T0 + Rule.Window);

        Assert.Null(third);
        Assert.False(LockoutPolicy.IsLocked(record, T0 + Rule.Window));
        Assert.Equal(2, LockoutPolicy.CountFailures(record, Rule, T0 + Rule.Window));
        Assert.Equal(0, LockoutPolicy.CountFailures(record, Rule, T0 + Rule.Window + Rule.Window));
    }

    [Fact]
    public void RecordFailure_FailuresJustInsideWindow_Lock()
    {
        var record = new Record();
        LockoutPolicy.RecordFailure(record, Rule, T0);
        LockoutPolicy.RecordFailure(record, Rule, T0.AddMinutes(1));

        var third = LockoutPolicy.RecordFailure(record, Rule, T0 + Rule.Window - TimeSpan.FromTicks(1));

        Assert.NotNull(third);
        Assert.Equal(Rule.MaxFailures, third.Value.Failures);
    }

    [Fact]
    public void RecordFailure_RepeatedLocks_DurationDoublesUpToMaxDuration()
    {
        var record = new Record();
        var now = T0;
        var durations = new List<TimeSpan>();
        var numbers = new List<int>();
        for (var lockNumber = 0; lockNumber < 6; lockNumber++)
        {
            var locked = LockUntilLocked(record, ref now);
            durations.Add(locked.Until - now);
            numbers.Add(locked.LockNumber);
            now = locked.Until; // the next failures come right after the lock ended
        }

        var d = Rule.Duration;
        Assert.Equal(new[] { d, 2 * d, 4 * d, Rule.MaxDuration, Rule.MaxDuration, Rule.MaxDuration }, durations);
        Assert.Equal(new[] { 1, 2, 3, 4, 5, 6 }, numbers);
    }

    [Fact]
    public void RecordFailure_LockLongAfterPreviousEnded_StartsOverAtDuration()
    {
        var record = new Record();
        var now = T0;
        var first = LockUntilLocked(record, ref now);
        now = first.Until;
        var second = LockUntilLocked(record, ref now);
        Assert.Equal(2 * Rule.Duration, second.Until - now);

        now = second.Until + Rule.MaxDuration + TimeSpan.FromSeconds(1);
        var third = LockUntilLocked(record, ref now);

        Assert.Equal(Rule.Duration, third.Until - now);
        Assert.Equal(1, third.LockNumber);
    }

    [Fact]
    public void RecordFailure_LockWithinMaxDurationAfterPreviousEnded_KeepsDoubling()
    {
        var record = new Record();
        var now = T0;
        var first = LockUntilLocked(record, ref now);

        // The failures come so that the locking one is exactly MaxDuration after the first lock ended.
        now = first.Until + Rule.MaxDuration - TimeSpan.FromSeconds(Rule.MaxFailures - 1);
        var second = LockUntilLocked(record, ref now);
        Assert.Equal(first.Until + Rule.MaxDuration, now);

        Assert.Equal(2 * Rule.Duration, second.Until - now);
        Assert.Equal(2, second.LockNumber);
    }

    [Fact]
    public void RecordSuccess_AfterFailures_CountStartsOver()
    {
        var record = new Record();
        LockoutPolicy.RecordFailure(record, Rule, T0);
        LockoutPolicy.RecordFailure(record, Rule, T0);

        LockoutPolicy.RecordSuccess(record);
        var afterSuccess = new[]
        {
            LockoutPolicy.RecordFailure(record, Rule, T0.AddSeconds(1)),
            LockoutPolicy.RecordFailure(record, Rule, T0.AddSeconds(2)),
        };

        Assert.All(afterSuccess, e => Assert.Null(e));
        Assert.False(LockoutPolicy.IsLocked(record, T0.AddSeconds(2)));
        Assert.Equal(2, LockoutPolicy.CountFailures(record, Rule, T0.AddSeconds(2)));
    }

    [Fact]
    public void RecordSuccess_AfterLocks_DoublingStartsOver()
    {
        var record = new Record();
        var now = T0;
        var first = LockUntilLocked(record, ref now);
        now = first.Until;
        var second = LockUntilLocked(record, ref now);
        now = second.Until;

        LockoutPolicy.RecordSuccess(record);
        var third = LockUntilLocked(record, ref now);

        Assert.Equal(Rule.Duration, third.Until - now);
        Assert.Equal(1, third.LockNumber);
    }

    [Fact]
    public void RecordFailure_WhileLocked_NotCountedAndLockUnchanged()
    {
        var record = new Record();
        var now = T0;
        var locked = LockUntilLocked(record, ref now);

        var during = Enumerable.Range(1, 5).Select(i => LockoutPolicy.RecordFailure(record, Rule, now.AddSeconds(i))).ToList();

        Assert.All(during, e => Assert.Null(e));
        Assert.Equal(locked.Until, record.LockedUntil);
        Assert.Equal(1, record.LockCount);
        Assert.Equal(0, LockoutPolicy.CountFailures(record, Rule, now.AddSeconds(5)));

        // After the lock, it takes MaxFailures new failures to lock again.
        var after = locked.Until;
        Assert.Null(LockoutPolicy.RecordFailure(record, Rule, after));
        Assert.False(LockoutPolicy.IsLocked(record, after));
    }

    [Fact]
    public void Unlock_WhileLocked_UnlockedWithNoFailuresAndNoDoubling()
    {
        var record = new Record();
        var now = T0;
        LockUntilLocked(record, ref now);
        LockoutPolicy.RecordFailure(record, Rule, now); // ignored while locked

        LockoutPolicy.Unlock(record);

        Assert.False(LockoutPolicy.IsLocked(record, now));
        Assert.Null(record.LockedUntil);
        Assert.Equal(0, record.LockCount);
        Assert.Equal(0, LockoutPolicy.CountFailures(record, Rule, now));
        var next = LockUntilLocked(record, ref now);
        Assert.Equal(Rule.Duration, next.Until - now);
    }

    [Fact]
    public void Unlock_WithFailuresBelowMax_FailuresCleared()
    {
        var record = new Record();
        LockoutPolicy.RecordFailure(record, Rule, T0);
        LockoutPolicy.RecordFailure(record, Rule, T0);

        LockoutPolicy.Unlock(record);

        Assert.Equal(0, LockoutPolicy.CountFailures(record, Rule, T0));
        Assert.Null(LockoutPolicy.RecordFailure(record, Rule, T0));
    }

    [Fact]
    public void IsIdle_NewRecord_True()
    {
        Assert.True(LockoutPolicy.IsIdle(new Record(), Rule, T0));
    }

    [Fact]
    public void IsIdle_WithFailureInWindow_FalseUntilItLeavesTheWindow()
    {
        var record = new Record();
        LockoutPolicy.RecordFailure(record, Rule, T0);

        Assert.False(LockoutPolicy.IsIdle(record, Rule, T0));
        Assert.False(LockoutPolicy.IsIdle(record, Rule, T0 + Rule.Window - TimeSpan.FromTicks(1)));
        Assert.True(LockoutPolicy.IsIdle(record, Rule, T0 + Rule.Window));
    }

    [Fact]
    public void IsIdle_AfterLock_FalseUntilMoreThanMaxDurationAfterItEnded()
    {
        var record = new Record();
        var now = T0;
        var locked = LockUntilLocked(record, ref now);

        Assert.False(LockoutPolicy.IsIdle(record, Rule, now));                        // locked
        Assert.False(LockoutPolicy.IsIdle(record, Rule, locked.Until));               // the doubling still matters
        Assert.False(LockoutPolicy.IsIdle(record, Rule, locked.Until + Rule.MaxDuration));
        Assert.True(LockoutPolicy.IsIdle(record, Rule, locked.Until + Rule.MaxDuration + TimeSpan.FromTicks(1)));
    }

    [Fact]
    public void IsIdle_AfterUnlock_True()
    {
        var record = new Record();
        var now = T0;
        LockUntilLocked(record, ref now);

        LockoutPolicy.Unlock(record);

        Assert.True(LockoutPolicy.IsIdle(record, Rule, now));
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(1, 20)]
    [InlineData(2, 40)]
    [InlineData(3, 80)]
    [InlineData(4, 80)]
    [InlineData(1000, 80)]
    public void LockDuration_PreviousLocks_DoubledAndCapped(int previousLocks, int expectedMinutes)
    {
        Assert.Equal(TimeSpan.FromMinutes(expectedMinutes), LockoutPolicy.LockDuration(Rule, previousLocks));
    }

    [Fact]
    public void LockDuration_MaxDurationNotAPowerOfTwoOfDuration_Capped()
    {
        var rule = Rule with { Duration = TimeSpan.FromMinutes(15), MaxDuration = TimeSpan.FromHours(24) };

        Assert.Equal(TimeSpan.FromMinutes(960), LockoutPolicy.LockDuration(rule, 6));
        Assert.Equal(TimeSpan.FromHours(24), LockoutPolicy.LockDuration(rule, 7));
    }

    /// <summary>Records failures (one second apart, starting at <paramref name="now"/>) until one locks; leaves <paramref name="now"/> at that failure.</summary>
    private static LockoutEvent LockUntilLocked(Record record, ref DateTimeOffset now)
    {
        for (var i = 0; i < Rule.MaxFailures - 1; i++)
        {
            Assert.Null(LockoutPolicy.RecordFailure(record, Rule, now));
            now = now.AddSeconds(1);
        }

        var locked = LockoutPolicy.RecordFailure(record, Rule, now);
        Assert.NotNull(locked);
        return locked.Value;
    }

    private sealed class Record : ILockoutRecord
    {
        public List<DateTimeOffset> Failures { get; } = [];

        public DateTimeOffset? LockedUntil { get; set; }

        public int LockCount { get; set; }
    }
}
