using Gateway.Registry.Policies;

namespace Gateway.Grains.Retention;

/// <summary>
/// Decides how long lockout state must be kept (pure: state and time in, decision out). Failures and locks are
/// remembered until <see cref="LockoutPolicy.ForgetAt"/>; a user's known-good addresses and a token revocation are
/// kept. So a name that only ever failed (a sprayed or mistyped one) leaves nothing behind once its window ends, and a
/// spray of any size leaves storage bounded by what one window can hold.
/// </summary>
public static class StateRetention
{
    /// <summary>The retention of a user grain's state.</summary>
    public static RetentionDecision Of(UserLockoutState state, LockoutOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        if (state.Successes.Count > 0 || state.TokensRevokedAt is not null)
        {
            return RetentionDecision.Keep;
        }

        var until = LockoutPolicy.ForgetAt(state.User, options.UserRule);
        foreach (var pair in state.Pairs.Values)
        {
            until = Later(until, LockoutPolicy.ForgetAt(pair, options.PairRule));
        }

        return Decide(until, now);
    }

    /// <summary>The retention of an address grain's state.</summary>
    public static RetentionDecision Of(AddressState state, LockoutOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        return Decide(LockoutPolicy.ForgetAt(state.Entry, options.AddressRule), now);
    }

    // ForgetAt is the first moment the records are idle by LockoutPolicy.IsIdle's strict comparison, plus one tick.
    private static RetentionDecision Decide(DateTimeOffset? until, DateTimeOffset now) =>
        until is { } at && at >= now ? new RetentionDecision(RetentionKind.Until, at + TimeSpan.FromTicks(1)) : RetentionDecision.Forget;

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : (a > b ? a : b);
}
