using Gateway.Contracts;
using Gateway.Registry.Logging;
using Gateway.Registry.Policies;
using Microsoft.Extensions.Logging;

namespace Gateway.Grains;

/// <summary>The user grain's other calls: requests with a token it issued, and what operators ask and change.</summary>
public sealed partial class UserGrain
{
    /// <inheritdoc />
    public async Task<CredentialDecision> AdmitAsync(Admission admission)
    {
        var now = _time.GetUtcNow();
        if (TokenRevocation.IsRevoked(admission.TokenIssuedAt, _state.State.TokensRevokedAt))
        {
            return new CredentialDecision { Outcome = CredentialOutcome.Denied, Reason = DenialReason.TokenRevoked };
        }

        var address = ClientAddressKey.For(admission.ClientAddress);
        if (admission.IsGrant && Lockout.Refusal(address, now) is { } refused)
        {
            return refused;
        }

        return await AddressBlockAsync(address, now) ?? _budget.Apply(admission.Kind, _limits.Value, _time.GetUtcNow(), cacheHit: false, coalesced: false);
    }

    /// <inheritdoc />
    public Task<UserStatus> GetStatusAsync() => Task.FromResult(Status(_time.GetUtcNow()));

    /// <inheritdoc />
    public async Task<UserStatus> UnlockAsync(string? clientAddress)
    {
        var key = clientAddress is null ? null : ClientAddressKey.For(clientAddress);
        Lockout.Unlock(key);
        _failed.Clear(key);
        Log.Unlocked(_logger, LogText.Escape(User), key ?? "every address");
        await Writer.PersistAsync(Retained());
        return Status(_time.GetUtcNow());
    }

    /// <inheritdoc />
    public async Task<UserStatus> RevokeTokensAsync()
    {
        var now = _time.GetUtcNow();
        _state.State.TokensRevokedAt = now;
        Log.TokensRevoked(_logger, LogText.Escape(User), now);
        await Writer.PersistAsync(Retained());
        return Status(now);
    }

    /// <inheritdoc />
    public async Task ForgetIfIdleAsync()
    {
        if (await Writer.ForgetIfIdleAsync(Retained()) && _verifications.Count == 0 && _cached is null)
        {
            // A name that only ever failed: nothing of it is left in memory worth an activation either.
            DeactivateOnIdle();
        }
    }

    private UserStatus Status(DateTimeOffset now)
    {
        var limits = _limits.Value;
        var (failures, lockedUntil, pairs) = Lockout.Describe(now);
        return new UserStatus
        {
            User = User,
            Failures = failures,
            LockedUntil = lockedUntil,
            Addresses = pairs,
            KnownGoodAddresses = _state.State.Successes.Keys.ToList(),
            RequestsRemaining = _budget.RequestsRemaining(limits, now),
            PullsRemaining = _budget.PullsRemaining(limits, now),
            CredentialCached = _cached is not null && now < _cached.Until,
            TokensRevokedAt = _state.State.TokensRevokedAt,
        };
    }
}
