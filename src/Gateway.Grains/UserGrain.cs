using System.Security.Cryptography;
using Gateway.Contracts;
using Gateway.Grains.Retention;
using Gateway.Registry.Logging;
using Gateway.Registry.Policies;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Placement;

namespace Gateway.Grains;

/// <summary>
/// One grain per user name: the cluster-wide credential cache, the failed-login lockouts and the rate limits of
/// that user. It holds only a keyed fingerprint of the last verified credential, never a password; bcrypt runs on the
/// edge that asked, at most once per cache lifetime. It is reentrant so that requests waiting for a verification in
/// flight do not block others, and every decision is taken in one synchronous turn, so limits are exact however many
/// requests race over however many edges: a locked pair never gets a password check, and at most
/// <see cref="LockoutOptions.MaxFailures"/> verifications are in flight or failed for a pair in a window. A credential
/// that failed from an address is refused again from there for the window without a check and without counting
/// (<see cref="FailedCredentialMemo"/>), so only distinct wrong credentials lock.
/// Lock state is persisted (grain storage <see cref="GrainStorage.Name"/>) and written only when it changes; the
/// cache and the rate budgets live in memory (a silo loss costs one bcrypt and restarts the budgets).
/// </summary>
[Reentrant]
[PreferLocalPlacement]
public sealed partial class UserGrain : Grain, IUserGrain
{
    /// <summary>How long a request waits for a concurrent verification before it decides again.</summary>
    internal static readonly TimeSpan PendingVerificationTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Addresses remembered as having authenticated (for the user-wide lock's exemption).</summary>
    internal const int MaxKnownGoodAddresses = 256;

    private static readonly TimeSpan SuccessRecordGranularity = TimeSpan.FromHours(1);

    private readonly IPersistentState<UserLockoutState> _state;
    private readonly IOptions<LockoutOptions> _lockout;
    private readonly IOptions<RateLimitOptions> _limits;
    private readonly TimeProvider _time;
    private readonly ILogger<UserGrain> _logger;
    private readonly List<PendingVerification> _pending = [];
    private readonly Dictionary<Guid, CredentialDecision> _reported = [];
    private readonly IStateSweepIndex _sweep;
    private RetainedStateWriter<UserLockoutState>? _retainedWriter;
    private readonly AddressBlockMemo _addressBlocks = new();
    private readonly FailedCredentialMemo _failed = new();
    private readonly RateBudget _budget = new();
    private byte[]? _cachedFingerprint;
    private DateTimeOffset _cachedUntil;

    /// <summary>Creates the grain.</summary>
    public UserGrain(
        [PersistentState("lockout", GrainStorage.Name)] IPersistentState<UserLockoutState> state,
        IOptions<LockoutOptions> lockout,
        IOptions<RateLimitOptions> limits,
        GrainClock clock,
        IStateSweepIndex sweep,
        ILogger<UserGrain> logger)
    {
        _state = state;
        _sweep = sweep;
        _lockout = lockout;
        _limits = limits;
        _time = clock.Time;
        _logger = logger;
    }

    private string User => this.GetPrimaryKeyString();

    private RetainedStateWriter<UserLockoutState> _writer => _retainedWriter ??= new(_state, _sweep, SweepEntry.User(User), _logger);

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Log.Activated(_logger, LogText.Escape(User), RuntimeIdentity);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<CredentialDecision> CheckAsync(CredentialCheck check)
    {
        var address = ClientAddressKey.For(check.ClientAddress);
        while (true)
        {
            var now = _time.GetUtcNow();
            if (Refusal(address, now) is { } refused)
            {
                return refused;
            }

            if (_cachedFingerprint is not null && now < _cachedUntil && CryptographicOperations.FixedTimeEquals(_cachedFingerprint, check.Fingerprint))
            {
                // An address block holds for every user, cached credentials included; its state is asked at most
                // every few seconds per address, so the hot path stays one grain call.
                if (await AddressBlockAsync(address, now) is { } blocked)
                {
                    return blocked;
                }

                return ApplyLimits(check.Kind, _time.GetUtcNow(), cacheHit: true, coalesced: false);
            }

            if (_failed.Contains(address, check.Fingerprint, now, _lockout.Value.Window))
            {
                // The same wrong credential again from the same address: known to fail, so no bcrypt, and not a new guess.
                // An address block still answers as a block (asked at most every few seconds per address).
                return await AddressBlockAsync(address, now) is { } blockedRepeat
                    ? blockedRepeat
                    : new CredentialDecision { Outcome = CredentialOutcome.Denied, Reason = DenialReason.RepeatedFailure };
            }

            var same = FindPending(check.Fingerprint, now);
            if (same is not null)
            {
                var outcome = await WaitForAsync(same, now);
                if (outcome is true)
                {
                    return ApplyLimits(check.Kind, _time.GetUtcNow(), cacheHit: false, coalesced: true);
                }

                if (outcome is false)
                {
                    return new CredentialDecision { Outcome = CredentialOutcome.Denied, Coalesced = true };
                }

                continue;
            }

            var blocking = SlotBlocker(address, now);
            if (blocking is not null)
            {
                // No verification slot for this pair (or user) until one in flight ends: wait, then decide again.
                await WaitForAsync(blocking, now);
                continue;
            }

            var ticket = new PendingVerification(Guid.NewGuid(), check.Fingerprint, address, now + PendingVerificationTimeout);
            _pending.Add(ticket);
            AddressStatus addressStatus;
            try
            {
                addressStatus = await GrainFactory.GetGrain<IAddressGrain>(address).CheckAsync();
            }
            catch
            {
                Release(ticket, null);
                throw;
            }

            if (addressStatus.BlockedUntil is { } blockedUntil)
            {
                Release(ticket, null);
                return AddressFailures.Locked(DenialReason.AddressBlocked, blockedUntil, _lockout.Value.MaxFailuresPerAddress, _time.GetUtcNow());
            }

            return new CredentialDecision { Outcome = CredentialOutcome.VerifyRequired, Ticket = ticket.Ticket };
        }
    }

    /// <inheritdoc />
    public async Task<CredentialDecision> ReportAsync(VerificationReport report)
    {
        if (_reported.TryGetValue(report.Ticket, out var earlier))
        {
            return earlier; // a retried report: counted once
        }

        var now = _time.GetUtcNow();
        var address = ClientAddressKey.For(report.ClientAddress);
        var pending = _pending.Find(p => p.Ticket == report.Ticket);
        if (pending is not null)
        {
            _pending.Remove(pending);
        }

        CredentialDecision decision;
        if (report.Succeeded)
        {
            if (report.CacheFor > TimeSpan.Zero)
            {
                _cachedFingerprint = report.Fingerprint;
                _cachedUntil = now + report.CacheFor;
            }

            var changed = RecordSuccess(address, now);
            pending?.Completion.TrySetResult(true);
            decision = ApplyLimits(report.Kind, now, cacheHit: false, coalesced: false);
            Remember(report.Ticket, decision);
            if (changed)
            {
                await _writer.PersistAsync(Retained());
            }

            return decision;
        }

        RecordFailure(address, now);
        _failed.Remember(address, pending?.Fingerprint ?? report.Fingerprint, now, _lockout.Value.Window);
        pending?.Completion.TrySetResult(false);
        decision = new CredentialDecision { Outcome = CredentialOutcome.Denied };
        Remember(report.Ticket, decision);
        await _writer.PersistAsync(Retained());
        await AddressFailures.RecordAsync(GrainFactory, address, _logger);
        return decision;
    }

    /// <inheritdoc />
    public Task<UserStatus> GetStatusAsync() => Task.FromResult(Status(_time.GetUtcNow()));

    /// <inheritdoc />
    public async Task<UserStatus> UnlockAsync(string? clientAddress)
    {
        var state = _state.State;
        if (clientAddress is null)
        {
            state.Pairs.Clear();
            LockoutPolicy.Unlock(state.User);
            state.FailuresBeganAt = null;
            _failed.Clear(null);
            Log.Unlocked(_logger, LogText.Escape(User), "every address");
        }
        else
        {
            var key = ClientAddressKey.For(clientAddress);
            state.Pairs.Remove(key);
            _failed.Clear(key);
            Log.Unlocked(_logger, LogText.Escape(User), key);
        }

        await _writer.PersistAsync(Retained());
        return Status(_time.GetUtcNow());
    }

    /// <inheritdoc />
    public async Task<CredentialDecision> AdmitAsync(Admission admission)
    {
        var now = _time.GetUtcNow();
        if (TokenRevocation.IsRevoked(admission.TokenIssuedAt, _state.State.TokensRevokedAt))
        {
            return new CredentialDecision { Outcome = CredentialOutcome.Denied, Reason = DenialReason.TokenRevoked };
        }

        var address = ClientAddressKey.For(admission.ClientAddress);
        if (admission.IsGrant && Refusal(address, now) is { } refused)
        {
            return refused;
        }

        if (await AddressBlockAsync(address, now) is { } blocked)
        {
            return blocked;
        }

        return ApplyLimits(admission.Kind, _time.GetUtcNow(), cacheHit: false, coalesced: false);
    }

    /// <inheritdoc />
    public async Task<UserStatus> RevokeTokensAsync()
    {
        var now = _time.GetUtcNow();
        _state.State.TokensRevokedAt = now;
        Log.TokensRevoked(_logger, LogText.Escape(User), now);
        await _writer.PersistAsync(Retained());
        return Status(now);
    }

    /// <inheritdoc />
    public async Task ForgetIfIdleAsync()
    {
        if (await _writer.ForgetIfIdleAsync(Retained()) && _pending.Count == 0 && _cachedFingerprint is null)
        {
            // A name that only ever failed: nothing of it is left in memory worth an activation either.
            DeactivateOnIdle();
        }
    }

    private RetentionDecision Retained() => StateRetention.Of(_state.State, _lockout.Value, _time.GetUtcNow());

    private async Task<CredentialDecision?> AddressBlockAsync(string address, DateTimeOffset now) =>
        await _addressBlocks.BlockedUntilAsync(GrainFactory, address, now) is { } blockedUntil
            ? AddressFailures.Locked(DenialReason.AddressBlocked, blockedUntil, _lockout.Value.MaxFailuresPerAddress, _time.GetUtcNow())
            : null;

    private CredentialDecision? Refusal(string address, DateTimeOffset now)
    {
        var options = _lockout.Value;
        if (_state.State.Pairs.TryGetValue(address, out var pair) && LockoutPolicy.IsLocked(pair, now))
        {
            return AddressFailures.Locked(DenialReason.PairLocked, pair.LockedUntil!.Value, options.MaxFailures, now);
        }

        if (LockoutPolicy.IsLocked(_state.State.User, now) && !IsKnownGood(address))
        {
            return AddressFailures.Locked(DenialReason.UserLocked, _state.State.User.LockedUntil!.Value, options.MaxFailuresPerUser, now);
        }

        return null;
    }

    private bool IsKnownGood(string address) =>
        _state.State.Successes.TryGetValue(address, out var success) && _state.State.FailuresBeganAt is { } began && success < began;

    /// <summary>A verification in flight that must end before this pair (or user) may have another, or null when there is room.</summary>
    private PendingVerification? SlotBlocker(string address, DateTimeOffset now)
    {
        var options = _lockout.Value;
        var state = _state.State;
        var pairFailures = state.Pairs.TryGetValue(address, out var pair) ? LockoutPolicy.CountFailures(pair, options.PairRule, now) : 0;
        PendingVerification? sameAddress = null;
        var inFlightHere = 0;
        foreach (var p in _pending)
        {
            if (p.Address == address)
            {
                inFlightHere++;
                sameAddress ??= p;
            }
        }

        if (pairFailures + inFlightHere >= options.MaxFailures)
        {
            return sameAddress;
        }

        if (!IsKnownGood(address) && LockoutPolicy.CountFailures(state.User, options.UserRule, now) + _pending.Count >= options.MaxFailuresPerUser)
        {
            return _pending.Count > 0 ? _pending[0] : null;
        }

        return null;
    }

    private CredentialDecision ApplyLimits(RequestKind kind, DateTimeOffset now, bool cacheHit, bool coalesced) =>
        _budget.Apply(kind, _limits.Value, now, cacheHit, coalesced);

    private bool RecordSuccess(string address, DateTimeOffset now)
    {
        var state = _state.State;
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

    private void RecordFailure(string address, DateTimeOffset now)
    {
        var options = _lockout.Value;
        var state = _state.State;
        if (!state.Pairs.TryGetValue(address, out var pair))
        {
            pair = new LockoutEntry();
            state.Pairs[address] = pair;
        }

        if (LockoutPolicy.RecordFailure(pair, options.PairRule, now) is { } pairLock)
        {
            Log.PairLocked(_logger, LogText.Escape(User), address, pairLock.Failures, pairLock.Until, pairLock.LockNumber);
            LockoutMetrics.Imposed("pair");
        }

        if (!LockoutPolicy.IsLocked(state.User, now) && LockoutPolicy.CountFailures(state.User, options.UserRule, now) == 0)
        {
            state.FailuresBeganAt = now;
        }

        if (LockoutPolicy.RecordFailure(state.User, options.UserRule, now) is { } userLock)
        {
            Log.UserLocked(_logger, LogText.Escape(User), userLock.Failures, userLock.Until, userLock.LockNumber);
            LockoutMetrics.Imposed("user");
        }

        foreach (var key in state.Pairs.Where(p => LockoutPolicy.IsIdle(p.Value, options.PairRule, now)).Select(p => p.Key).ToList())
        {
            state.Pairs.Remove(key);
        }
    }

    private async Task<bool?> WaitForAsync(PendingVerification pending, DateTimeOffset now)
    {
        try
        {
            return await pending.Completion.Task.WaitAsync(pending.Deadline - now, _time);
        }
        catch (TimeoutException)
        {
            // The edge that verifies went away without reporting: its slot is free again.
            Release(pending, null);
            return null;
        }
    }

    private void Release(PendingVerification pending, bool? result)
    {
        _pending.Remove(pending);
        pending.Completion.TrySetResult(result);
    }

    private PendingVerification? FindPending(byte[] fingerprint, DateTimeOffset now)
    {
        for (var i = _pending.Count - 1; i >= 0; i--)
        {
            var candidate = _pending[i];
            if (candidate.Deadline <= now)
            {
                Release(candidate, null);
                continue;
            }

            if (CryptographicOperations.FixedTimeEquals(candidate.Fingerprint, fingerprint))
            {
                return candidate;
            }
        }

        return null;
    }

    private void Remember(Guid ticket, CredentialDecision decision)
    {
        if (_reported.Count >= 256)
        {
            _reported.Clear();
        }

        _reported[ticket] = decision;
    }

    private UserStatus Status(DateTimeOffset now)
    {
        var options = _lockout.Value;
        var state = _state.State;
        var limits = _limits.Value;
        return new UserStatus
        {
            User = User,
            Failures = LockoutPolicy.CountFailures(state.User, options.UserRule, now),
            LockedUntil = LockoutPolicy.IsLocked(state.User, now) ? state.User.LockedUntil : null,
            Addresses = state.Pairs.Select(p => new PairStatus
            {
                Address = p.Key,
                Failures = LockoutPolicy.CountFailures(p.Value, options.PairRule, now),
                LockedUntil = LockoutPolicy.IsLocked(p.Value, now) ? p.Value.LockedUntil : null,
                Locks = p.Value.LockCount,
            }).ToList(),
            KnownGoodAddresses = state.Successes.Keys.ToList(),
            RequestsRemaining = _budget.RequestsRemaining(limits, now),
            PullsRemaining = _budget.PullsRemaining(limits, now),
            CredentialCached = _cachedFingerprint is not null && now < _cachedUntil,
            TokensRevokedAt = state.TokensRevokedAt,
        };
    }

    private sealed class PendingVerification(Guid ticket, byte[] fingerprint, string address, DateTimeOffset deadline)
    {
        public Guid Ticket { get; } = ticket;

        public byte[] Fingerprint { get; } = fingerprint;

        public string Address { get; } = address;

        public DateTimeOffset Deadline { get; } = deadline;

        public TaskCompletionSource<bool?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "User grain for '{User}' activated on {Silo}")]
        public static partial void Activated(ILogger logger, string user, string silo);

        [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "User '{User}' locked for address {Address} until {Until:u} after {Failures} failed attempts (lock {LockNumber} in a row)")]
        public static partial void PairLocked(ILogger logger, string user, string address, int failures, DateTimeOffset until, int lockNumber);

        [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "User '{User}' locked for every address but known-good ones until {Until:u} after {Failures} failed attempts (lock {LockNumber} in a row)")]
        public static partial void UserLocked(ILogger logger, string user, int failures, DateTimeOffset until, int lockNumber);

        [LoggerMessage(EventId = 2104, Level = LogLevel.Warning, Message = "User '{User}' unlocked by an operator for {Scope}")]
        public static partial void Unlocked(ILogger logger, string user, string scope);

        [LoggerMessage(EventId = 2107, Level = LogLevel.Warning, Message = "Tokens of user '{User}' revoked by an operator: every token issued until {RevokedAt:u} is refused")]
        public static partial void TokensRevoked(ILogger logger, string user, DateTimeOffset revokedAt);
    }
}
