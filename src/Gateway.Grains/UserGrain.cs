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
/// One grain per account: the cluster-wide credential cache, the failed-login lockouts and the rate limits of that
/// account. It orchestrates; pure models decide: <see cref="UserLockout"/> (locks and verification slots),
/// <see cref="RateBudget"/> (limits), <see cref="VerificationCoalescer"/> (one verification for a burst of first
/// requests), <see cref="CachedCredential"/> (the last verified credential: a keyed fingerprint, never a password, with
/// its labels), <see cref="FailedCredentialMemo"/> (a wrong credential repeated from one address is refused without a
/// check and counted once). The verification itself (bcrypt, a directory bind, a token check) runs on the edge that
/// asked, at most once per cache lifetime. It is reentrant so that requests waiting for a verification in flight do
/// not block others, and every decision is taken in one synchronous turn, so limits are exact however many requests
/// race over however many edges: a locked pair never gets a check, and at most <see cref="LockoutOptions.MaxFailures"/>
/// verifications are in flight or failed for a pair in a window. Lock state is persisted (grain storage
/// <see cref="GrainStorage.Name"/>) and written only when it changes; the cache and the budgets live in memory (a silo
/// loss costs one verification and restarts the budgets). Operator calls are in <c>UserGrain.Operations.cs</c>.
/// </summary>
[Reentrant]
[PreferLocalPlacement]
public sealed partial class UserGrain : Grain, IUserGrain
{
    private readonly IPersistentState<UserLockoutState> _state;
    private readonly IOptions<LockoutOptions> _lockout;
    private readonly IOptions<RateLimitOptions> _limits;
    private readonly TimeProvider _time;
    private readonly ILogger<UserGrain> _logger;
    private readonly IStateSweepIndex _sweep;
    private readonly VerificationCoalescer _verifications;
    private readonly AddressBlockMemo _addressBlocks = new();
    private readonly FailedCredentialMemo _failed = new();
    private readonly RateBudget _budget = new();
    private RetainedStateWriter<UserLockoutState>? _retainedWriter;
    private CachedCredential? _cached;

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
        _verifications = new VerificationCoalescer(_time);
    }

    private string User => this.GetPrimaryKeyString();

    private UserLockout Lockout => new(_state.State, _lockout.Value);

    private RetainedStateWriter<UserLockoutState> Writer => _retainedWriter ??= new(_state, _sweep, SweepEntry.User(User), _logger);

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
            if (Lockout.Refusal(address, now) is { } refused)
            {
                return refused;
            }

            if (_cached is { } cached && cached.Answers(check.Fingerprint, now))
            {
                // An address block holds for every user, cached credentials included; its state is asked at most
                // every few seconds per address, so the hot path stays one grain call.
                return await AddressBlockAsync(address, now) ?? Allowed(check.Kind, cached, cacheHit: true, coalesced: false);
            }

            if (_failed.Contains(address, check.Fingerprint, now, _lockout.Value.Window))
            {
                // The same wrong credential again from the same address: known to fail, so no check, and not a new guess.
                return await AddressBlockAsync(address, now) ?? new CredentialDecision { Outcome = CredentialOutcome.Denied, Reason = DenialReason.RepeatedFailure };
            }

            if (_verifications.FindSame(check.Fingerprint, now) is { } same)
            {
                switch (await _verifications.WaitAsync(same, now))
                {
                    case true:
                        return Allowed(check.Kind, _cached, cacheHit: false, coalesced: true);
                    case false:
                        return new CredentialDecision { Outcome = CredentialOutcome.Denied, Coalesced = true };
                    default:
                        continue;
                }
            }

            var (hereCount, hereFirst) = _verifications.From(address);
            var wait = Lockout.Slot(address, hereCount, _verifications.Count, now) switch
            {
                SlotWait.SameAddress => hereFirst,
                SlotWait.AnyAddress => _verifications.First,
                _ => null,
            };
            if (wait is not null)
            {
                // No verification slot for this pair (or user) until one in flight ends: wait, then decide again.
                await _verifications.WaitAsync(wait, now);
                continue;
            }

            var ticket = _verifications.Open(check.Fingerprint, address, now, graceable: _cached?.CoversOutage(check.Fingerprint, now) == true);
            AddressStatus addressStatus;
            try
            {
                addressStatus = await GrainFactory.GetGrain<IAddressGrain>(address).CheckAsync();
            }
            catch
            {
                _verifications.Release(ticket, null);
                throw;
            }

            if (addressStatus.BlockedUntil is { } blockedUntil)
            {
                _verifications.Release(ticket, null);
                return LockDecisions.Locked(DenialReason.AddressBlocked, blockedUntil, _lockout.Value.MaxFailuresPerAddress, _time.GetUtcNow());
            }

            return new CredentialDecision { Outcome = CredentialOutcome.VerifyRequired, Ticket = ticket.Id };
        }
    }

    /// <inheritdoc />
    public async Task<CredentialDecision> ReportAsync(VerificationReport report)
    {
        if (_verifications.TryGetReported(report.Ticket, out var earlier))
        {
            return earlier; // a retried report: counted once
        }

        var now = _time.GetUtcNow();
        var address = ClientAddressKey.For(report.ClientAddress);
        var ticket = _verifications.Close(report.Ticket);
        CredentialDecision decision;
        switch (report.Result)
        {
            case VerificationResult.Succeeded:
                // Kept with a zero lifetime too when the source has an outage grace (LDAP with CacheTtl=0): never
                // answered from memory then, but a credential verified a moment ago still passes while the source is down.
                if (report.CacheFor > TimeSpan.Zero || report.GraceFor > TimeSpan.Zero)
                {
                    _cached = new CachedCredential(report.Fingerprint, now + report.CacheFor, now + report.CacheFor + report.GraceFor, report.Labels);
                }

                var changed = Lockout.RecordSuccess(address, now);
                ticket?.Completion.TrySetResult(true);
                decision = Allowed(report.Kind, _cached, cacheHit: false, coalesced: false, report.Labels);
                _verifications.Remember(report.Ticket, decision);
                if (changed)
                {
                    await Writer.PersistAsync(Retained());
                }

                return decision;

            case VerificationResult.SourceUnavailable:
                // Nothing was learnt of the credential: nothing is counted. One verified recently enough still passes.
                ticket?.Completion.TrySetResult(null);
                decision = ticket?.Graceable == true && _cached is { } cached && cached.CoversOutage(report.Fingerprint, now)
                    ? Allowed(report.Kind, cached, cacheHit: true, coalesced: false)
                    : new CredentialDecision { Outcome = CredentialOutcome.Unavailable };
                _verifications.Remember(report.Ticket, decision);
                return decision;
        }

        var (pairLock, userLock) = Lockout.RecordFailure(address, now);
        if (pairLock is { } p)
        {
            Log.PairLocked(_logger, LogText.Escape(User), address, p.Failures, p.Until, p.LockNumber);
            LockoutMetrics.Imposed("pair");
        }

        if (userLock is { } u)
        {
            Log.UserLocked(_logger, LogText.Escape(User), u.Failures, u.Until, u.LockNumber);
            LockoutMetrics.Imposed("user");
        }

        _failed.Remember(address, ticket?.Fingerprint ?? report.Fingerprint, now, _lockout.Value.Window);
        ticket?.Completion.TrySetResult(false);
        decision = new CredentialDecision { Outcome = CredentialOutcome.Denied };
        _verifications.Remember(report.Ticket, decision);
        await Writer.PersistAsync(Retained());
        await AddressFailures.RecordAsync(GrainFactory, address, _logger);
        return decision;
    }

    private RetentionDecision Retained() => StateRetention.Of(_state.State, _lockout.Value, _time.GetUtcNow());

    private async Task<CredentialDecision?> AddressBlockAsync(string address, DateTimeOffset now) =>
        await _addressBlocks.BlockedUntilAsync(GrainFactory, address, now) is { } blockedUntil
            ? LockDecisions.Locked(DenialReason.AddressBlocked, blockedUntil, _lockout.Value.MaxFailuresPerAddress, _time.GetUtcNow())
            : null;

    /// <summary>The rate limits' decision for an allowed credential, with the labels it was verified with.</summary>
    private CredentialDecision Allowed(RequestKind kind, CachedCredential? cached, bool cacheHit, bool coalesced, IReadOnlyDictionary<string, string[]>? labels = null)
    {
        var decision = _budget.Apply(kind, _limits.Value, _time.GetUtcNow(), cacheHit, coalesced);
        var granted = labels ?? cached?.Labels;
        return granted is null || decision.Outcome != CredentialOutcome.Allowed ? decision : decision with { Labels = granted };
    }
}
