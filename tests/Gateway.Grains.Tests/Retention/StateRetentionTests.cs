using Gateway.Grains.Retention;
using Gateway.Registry.Policies;

namespace Gateway.Grains.Tests.Retention;

public sealed class StateRetentionTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly LockoutOptions Options = new() { Window = TimeSpan.FromMinutes(15), Duration = TimeSpan.FromMinutes(15), MaxDuration = TimeSpan.FromHours(24) };

    [Fact]
    public void Of_EmptyUserState_Forget()
    {
        Assert.Equal(RetentionKind.Forget, StateRetention.Of(new UserLockoutState(), Options, T0).Kind);
    }

    [Fact]
    public void Of_OneFailure_KeptUntilItLeavesTheWindow_ThenForgotten()
    {
        var state = new UserLockoutState();
        state.Pairs["10.0.0.1"] = new LockoutEntry { Failures = [T0] };
        state.User.Failures.Add(T0);

        var during = StateRetention.Of(state, Options, T0 + TimeSpan.FromMinutes(5));
        var after = StateRetention.Of(state, Options, T0 + Options.Window + TimeSpan.FromSeconds(1));

        Assert.Equal(RetentionKind.Until, during.Kind);
        Assert.True(during.Until > T0 + Options.Window && during.Until < T0 + Options.Window + TimeSpan.FromSeconds(1));
        Assert.Equal(RetentionKind.Forget, after.Kind);
    }

    [Fact]
    public void Of_Lock_KeptUntilItsDoublingMemoryEnds()
    {
        var state = new UserLockoutState();
        var until = T0 + Options.Duration;
        state.Pairs["10.0.0.1"] = new LockoutEntry { LockedUntil = until, LockCount = 1 };

        var retention = StateRetention.Of(state, Options, T0);

        Assert.Equal(RetentionKind.Until, retention.Kind);
        Assert.True(retention.Until > until + Options.MaxDuration);
        Assert.True(LockoutPolicy.IsIdle(state.Pairs["10.0.0.1"], Options.PairRule, retention.Until!.Value));
        Assert.False(LockoutPolicy.IsIdle(state.Pairs["10.0.0.1"], Options.PairRule, until + Options.MaxDuration - TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Of_KnownGoodAddressOrRevocation_Keep()
    {
        var known = new UserLockoutState { Successes = { ["10.0.0.1"] = T0 } };
        var revoked = new UserLockoutState { TokensRevokedAt = T0 };

        Assert.Equal(RetentionKind.Keep, StateRetention.Of(known, Options, T0 + TimeSpan.FromDays(400)).Kind);
        Assert.Equal(RetentionKind.Keep, StateRetention.Of(revoked, Options, T0 + TimeSpan.FromDays(400)).Kind);
    }

    [Fact]
    public void Of_AddressBlock_KeptUntilItsDoublingMemoryEnds_ThenForgotten()
    {
        var state = new AddressState { Entry = new LockoutEntry { LockedUntil = T0, LockCount = 1, Failures = [T0 - TimeSpan.FromMinutes(1)] } };

        Assert.Equal(RetentionKind.Until, StateRetention.Of(state, Options, T0).Kind);
        Assert.Equal(RetentionKind.Forget, StateRetention.Of(state, Options, T0 + Options.MaxDuration + TimeSpan.FromSeconds(1)).Kind);
    }

    [Theory]
    [InlineData("u:alice", false, "alice")]
    [InlineData("a:10.0.0.0/8", true, "10.0.0.0/8")]
    [InlineData("u:name with: colon", false, "name with: colon")]
    public void SweepEntry_RoundTrips(string text, bool isAddress, string key)
    {
        Assert.True(SweepEntry.TryParse(text, out var entry));
        Assert.Equal(new SweepEntry(isAddress, key), entry);
        Assert.Equal(text, entry.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("x:alice")]
    [InlineData("u")]
    public void SweepEntry_Garbage_NotParsed(string text) => Assert.False(SweepEntry.TryParse(text, out _));
}
