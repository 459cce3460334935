using Gateway.Contracts;
using Gateway.Registry.Policies;

namespace Gateway.Grains;

/// <summary>
/// The lockout rules of one user over its stored state, with a plain <c>now</c>: a lock per (user, client address)
/// pair after <see cref="LockoutOptions.MaxFailures"/>, a user-wide lock after <see cref="LockoutOptions.MaxFailuresPerUser"/>
/// that spares addresses which authenticated before the failures began, and the verification slots those limits
/// leave. No clock, no I/O, no grain: <see cref="UserGrain"/> persists what it changes.
/// </summary>
internal readonly struct UserLockout(UserLockoutState state, LockoutOptions options)
{
    /// <summary>Addresses remembered as having authenticated (for the user-wide lock's exemption).</summary>
    public const int MaxKnownGoodAddresses = 256;

    /// <summary>A known-good address's success time is refreshed at most this often (a write per success is not worth it).</summary>
    private static readonly TimeSpan SuccessRecordGranularity = TimeSpan.FromHours(1);

    /// <summary>The lock that refuses <paramref name="address"/> at <paramref name="now"/>, or null.</summary>
    public CredentialDecision? Refusal(string address, DateTimeOffset now)
    {
        if (state.Pairs.TryGetValue(address, out var pair) && LockoutPolicy.IsLocked(pair, now))
        {
            return LockDecisions.Locked(DenialReason.PairLocked, pair.LockedUntil!.Value, options.MaxFailures, now);
        }

        if (LockoutPolicy.IsLocked(state.User, now) && !IsKnownGood(address))
        {
            return LockDecisions.Locked(DenialReason.UserLocked, state.User.LockedUntil!.Value, options.MaxFailuresPerUser, now);
        }

        return null;
    }

    /// <summary>True when <paramref name="address"/> authenticated before the current run of failures began.</summary>
    public bool IsKnownGood(string address) =>
        state.Successes.TryGetValue(address, out var success) && state.FailuresBeganAt is { } began && success < began;

    /// <summary>
    /// Whether another verification may start from <paramref name="address"/>: failures plus verifications in flight stay
    /// below each limit, so a burst of guesses can never exceed it however many edges race.
    /// </summary>
    /// <param name="address">The client address.</param>
    /// <param name="inFlightHere">Verifications in flight from this address.</param>
    /// <param name="inFlight">Verifications in flight for the user.</param>
    /// <param name="now">The time.</param>
    public SlotWait Slot(string address, int inFlightHere, int inFlight, DateTimeOffset now)
    {
        var pairFailures = state.Pairs.TryGetValue(address, out var pair) ? LockoutPolicy.CountFailures(pair, options.PairRule, now) : 0;
        if (pairFailures + inFlightHere >= options.MaxFailures)
        {
            return SlotWait.SameAddress;
        }

        if (!IsKnownGood(address) && LockoutPolicy.CountFailures(state.User, options.UserRule, now) + inFlight >= options.MaxFailuresPerUser)
        {
            return SlotWait.AnyAddress;
        }

        return SlotWait.None;
    }

    /// <summary>Records a success from <paramref name="address"/>; true when the stored state changed.</summary>
    public bool RecordSuccess(string address, DateTimeOffset now)
    {
        var changed = false;
        if (state.Pairs.TryGetValue(address, out var pair) && (pair.Failures.Count > 0 || pair.LockCount > 0))
        {
            LockoutPolicy.RecordSuccess(pair);
            changed = true;
        }

        // An exempt address keeps its success time from before the failures began: refreshing it would end the exemption.
        if (!state.Successes.TryGetValue(address, out var last) || (now - last > SuccessRecordGranularity && !IsKnownGood(address)))
        {
            state.Successes[address] = now;
            if (state.Successes.Count > MaxKnownGoodAddresses)
            {
                var oldest = state.Successes.MinBy(s => s.Value).Key;
                state.Successes.Remove(oldest);
            }

            changed = true;
        }

        return changed;
    }

    /// <summary>Records a failure from <paramref name="address"/>: the locks it caused, if any.</summary>
    public (LockoutEvent? Pair, LockoutEvent? User) RecordFailure(string address, DateTimeOffset now)
    {
        if (!state.Pairs.TryGetValue(address, out var pair))
        {
            pair = new LockoutEntry();
            state.Pairs[address] = pair;
        }

        var pairLock = LockoutPolicy.RecordFailure(pair, options.PairRule, now);
        if (!LockoutPolicy.IsLocked(state.User, now) && LockoutPolicy.CountFailures(state.User, options.UserRule, now) == 0)
        {
            state.FailuresBeganAt = now;
        }

        var userLock = LockoutPolicy.RecordFailure(state.User, options.UserRule, now);
        var pairRule = options.PairRule;
        foreach (var key in state.Pairs.Where(p => LockoutPolicy.IsIdle(p.Value, pairRule, now)).Select(p => p.Key).ToList())
        {
            state.Pairs.Remove(key);
        }

        return (pairLock, userLock);
    }

    /// <summary>An operator's unlock: of one address's pair, or of everything when <paramref name="address"/> is null.</summary>
    public void Unlock(string? address)
    {
        if (address is null)
        {
            state.Pairs.Clear();
            LockoutPolicy.Unlock(state.User);
            state.FailuresBeganAt = null;
        }
        else
        {
            state.Pairs.Remove(address);
        }
    }

    /// <summary>The user's failures and locks at <paramref name="now"/>, for operators.</summary>
    public (int Failures, DateTimeOffset? LockedUntil, List<PairStatus> Pairs) Describe(DateTimeOffset now)
    {
        var pairRule = options.PairRule;
        return (
            LockoutPolicy.CountFailures(state.User, options.UserRule, now),
            LockoutPolicy.IsLocked(state.User, now) ? state.User.LockedUntil : null,
            state.Pairs.Select(p => new PairStatus
            {
                Address = p.Key,
                Failures = LockoutPolicy.CountFailures(p.Value, pairRule, now),
                LockedUntil = LockoutPolicy.IsLocked(p.Value, now) ? p.Value.LockedUntil : null,
                Locks = p.Value.LockCount,
            }).ToList());
    }
}
