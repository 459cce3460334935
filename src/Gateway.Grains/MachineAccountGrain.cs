using System.Security.Cryptography;
using Gateway.Contracts;
using Gateway.Registry.Logging;
using Gateway.Registry.Policies;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Placement;

namespace Gateway.Grains;

/// <summary>
/// One grain per machine account. The secret is 256 random bits, so its SHA-256 is stored rather than a bcrypt hash:
/// nothing can be guessed from it, and a request costs a hash and a constant-time comparison, not a bcrypt. A missing,
/// revoked or expired account is compared against a dummy hash and answers exactly as a wrong secret does. Wrong
/// secrets count against the client address (password spraying); the account has its own request and pull budgets
/// under the users' limits.
/// </summary>
[Reentrant]
[PreferLocalPlacement]
public sealed partial class MachineAccountGrain(
    [PersistentState("machine", GrainStorage.Name)] IPersistentState<MachineAccountState> state,
    IOptions<LockoutOptions> lockout,
    IOptions<RateLimitOptions> limits,
    GrainClock clock,
    ILogger<MachineAccountGrain> logger) : Grain, IMachineAccountGrain
{
    private static readonly byte[] DummyHash = SHA256.HashData("registry-gateway/no-machine-account"u8);
    private static readonly TimeSpan LastUsedGranularity = TimeSpan.FromHours(1);

    private readonly TimeProvider _time = clock.Time;
    private readonly AddressBlockMemo _addressBlocks = new();
    private readonly RateBudget _budget = new();
    private readonly SerialStateWriter<MachineAccountState> _writer = new(state);

    private string Name => this.GetPrimaryKeyString();

    /// <inheritdoc />
    public async Task<MachineAccountInfo?> CreateAsync(MachineAccountSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var now = _time.GetUtcNow();
        if (IsActive(now))
        {
            return null;
        }

        // Listed before it exists, so an account can never exist unlisted (a full directory refuses new accounts).
        if (!await GrainFactory.GetGrain<IMachineAccountDirectoryGrain>(IMachineAccountDirectoryGrain.Key).AddAsync(Name))
        {
            throw new InvalidOperationException("The machine-account directory is full.");
        }

        if (spec.SecretHash.Length != SHA256.HashSizeInBytes)
        {
            throw new ArgumentException("The secret hash must be a SHA-256.", nameof(spec));
        }

        var current = state.State;
        current.SecretHash = spec.SecretHash.ToArray();
        current.Scopes = [.. spec.Scopes];
        current.CreatedAt = now;
        current.ExpiresAt = spec.ExpiresAt;
        current.RevokedAt = null;
        current.LastUsedAt = null;
        current.Description = spec.Description;
        await _writer.WriteAsync();
        Log.Created(logger, LogText.Escape(Name), string.Join(' ', spec.Scopes), spec.ExpiresAt);
        return Info();
    }

    /// <inheritdoc />
    public Task<MachineAccountInfo?> GetAsync() => Task.FromResult(state.State.SecretHash is null ? null : Info());

    /// <inheritdoc />
    public async Task<MachineAccountInfo?> RevokeAsync()
    {
        var current = state.State;
        if (current.SecretHash is null)
        {
            return null;
        }

        if (current.RevokedAt is null)
        {
            current.RevokedAt = _time.GetUtcNow();
            await _writer.WriteAsync();
            Log.Revoked(logger, LogText.Escape(Name));
        }

        return Info();
    }

    /// <inheritdoc />
    public async Task<CredentialDecision> AuthenticateAsync(MachineCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        var now = _time.GetUtcNow();
        var address = ClientAddressKey.For(check.ClientAddress);
        if (await _addressBlocks.BlockedUntilAsync(GrainFactory, address, now) is { } blockedUntil)
        {
            return Blocked(blockedUntil);
        }

        var current = state.State;
        var matches = CryptographicOperations.FixedTimeEquals(current.SecretHash ?? DummyHash, check.SecretHash);
        if (!matches || !IsActive(now))
        {
            await AddressFailures.RecordAsync(GrainFactory, address, logger);

            return new CredentialDecision { Outcome = CredentialOutcome.Denied };
        }

        var decision = _budget.Apply(check.Kind, limits.Value, now) with { Scopes = current.Scopes };
        if (current.LastUsedAt is not { } last || now - last >= LastUsedGranularity)
        {
            current.LastUsedAt = now;
            await _writer.WriteAsync();
        }

        return decision;
    }

    /// <inheritdoc />
    public async Task<CredentialDecision> AdmitAsync(Admission admission)
    {
        ArgumentNullException.ThrowIfNull(admission);
        var now = _time.GetUtcNow();
        var current = state.State;
        if (!IsActive(now) || admission.TokenIssuedAt.ToUnixTimeSeconds() < current.CreatedAt.ToUnixTimeSeconds())
        {
            return new CredentialDecision { Outcome = CredentialOutcome.Denied, Reason = DenialReason.TokenRevoked };
        }

        var address = ClientAddressKey.For(admission.ClientAddress);
        if (await _addressBlocks.BlockedUntilAsync(GrainFactory, address, now) is { } blockedUntil)
        {
            return Blocked(blockedUntil);
        }

        return _budget.Apply(admission.Kind, limits.Value, _time.GetUtcNow()) with { Scopes = current.Scopes };
    }

    private bool IsActive(DateTimeOffset now) =>
        state.State is { SecretHash: not null, RevokedAt: null } active && now < active.ExpiresAt;

    private CredentialDecision Blocked(DateTimeOffset until) =>
        LockDecisions.Locked(DenialReason.AddressBlocked, until, lockout.Value.MaxFailuresPerAddress, _time.GetUtcNow());

    private MachineAccountInfo Info()
    {
        var current = state.State;
        return new MachineAccountInfo
        {
            Name = Name,
            Scopes = current.Scopes.ToArray(),
            CreatedAt = current.CreatedAt,
            ExpiresAt = current.ExpiresAt,
            RevokedAt = current.RevokedAt,
            LastUsedAt = current.LastUsedAt,
            Description = current.Description,
        };
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.MachineAccountCreated, Level = LogLevel.Warning, Message = "Machine account '{Name}' created with scopes '{Scopes}', expiring {ExpiresAt:u}")]
        public static partial void Created(ILogger logger, string name, string scopes, DateTimeOffset expiresAt);

        [LoggerMessage(EventId = EventIds.MachineAccountRevoked, Level = LogLevel.Warning, Message = "Machine account '{Name}' revoked: its secret and every token issued to it are refused")]
        public static partial void Revoked(ILogger logger, string name);
    }
}
