using Gateway.Contracts;
using Gateway.Registry.Policies;

namespace Gateway.Grains.Tests;

/// <summary>The pure lockout model, with a plain <c>now</c>: no grain, no clock.</summary>
public sealed class UserLockoutTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 3, 8, 0, 0, TimeSpan.Zero);
    private static readonly LockoutOptions Options = new() { MaxFailures = 3, MaxFailuresPerUser = 5, Window = TimeSpan.FromMinutes(15), Duration = TimeSpan.FromMinutes(15) };

    [Fact]
    public void RecordFailure_MaxFailuresFromOneAddress_LocksThatPairOnly()
    {
        var lockout = new UserLockout(new UserLockoutState(), Options);

        (LockoutEvent? Pair, LockoutEvent? User) last = default;
        for (var i = 0; i < Options.MaxFailures; i++)
        {
            last = lockout.RecordFailure("192.0.2.1", Start.AddSeconds(i));
        }

        Assert.NotNull(last.Pair);
        Assert.Null(last.User);
        Assert.Equal(DenialReason.PairLocked, lockout.Refusal("192.0.2.1", Start.AddMinutes(1))!.Reason);
        Assert.Null(lockout.Refusal("192.0.2.2", Start.AddMinutes(1)));
    }

    [Fact]
    public void Refusal_UserLockedKnownGoodAddress_NotRefused()
    {
        var state = new UserLockoutState();
        var lockout = new UserLockout(state, Options);
        lockout.RecordSuccess("192.0.2.9", Start);

        for (var i = 0; i < Options.MaxFailuresPerUser; i++)
        {
            lockout.RecordFailure($"198.51.100.{i}", Start.AddMinutes(1).AddSeconds(i));
        }

        Assert.Equal(DenialReason.UserLocked, lockout.Refusal("203.0.113.1", Start.AddMinutes(2))!.Reason);
        Assert.Null(lockout.Refusal("192.0.2.9", Start.AddMinutes(2)));
    }

    [Fact]
    public void Slot_FailuresPlusInFlightReachPairLimit_WaitsForSameAddress()
    {
        var lockout = new UserLockout(new UserLockoutState(), Options);
        lockout.RecordFailure("192.0.2.1", Start);

        Assert.Equal(SlotWait.None, lockout.Slot("192.0.2.1", inFlightHere: 1, inFlight: 1, Start));
        Assert.Equal(SlotWait.SameAddress, lockout.Slot("192.0.2.1", inFlightHere: 2, inFlight: 2, Start));
        Assert.Equal(SlotWait.None, lockout.Slot("192.0.2.2", inFlightHere: 0, inFlight: 2, Start));
    }

    [Fact]
    public void Slot_FailuresPlusInFlightReachUserLimit_WaitsForAny()
    {
        var lockout = new UserLockout(new UserLockoutState(), Options);
        for (var i = 0; i < 4; i++)
        {
            lockout.RecordFailure($"198.51.100.{i}", Start.AddSeconds(i));
        }

        Assert.Equal(SlotWait.AnyAddress, lockout.Slot("203.0.113.7", inFlightHere: 0, inFlight: 1, Start.AddMinutes(1)));
    }

    [Fact]
    public void RecordSuccess_AfterPairFailures_ClearsThemAndReportsChange()
    {
        var state = new UserLockoutState();
        var lockout = new UserLockout(state, Options);
        lockout.RecordFailure("192.0.2.1", Start);

        var changed = lockout.RecordSuccess("192.0.2.1", Start.AddSeconds(1));

        Assert.True(changed);
        Assert.Equal(0, lockout.Describe(Start.AddSeconds(2)).Pairs.Single().Failures);
    }

    [Fact]
    public void Unlock_EveryAddress_ClearsPairsAndUserLock()
    {
        var lockout = new UserLockout(new UserLockoutState(), Options);
        for (var i = 0; i < Options.MaxFailuresPerUser; i++)
        {
            lockout.RecordFailure("192.0.2.1", Start.AddSeconds(i));
        }

        lockout.Unlock(null);

        Assert.Null(lockout.Refusal("192.0.2.1", Start.AddMinutes(1)));
        Assert.Equal(0, lockout.Describe(Start.AddMinutes(1)).Failures);
    }
}
