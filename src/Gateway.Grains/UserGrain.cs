using System.Security.Cryptography;
using Gateway.Contracts;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Placement;

namespace Gateway.Grains;

/// <summary>
/// Caches the credential check of one user for the whole cluster. It holds only a keyed fingerprint
/// of the last verified credential and when it expires; bcrypt runs on the edge that asked, once per
/// cache lifetime. Reentrant so that concurrent requests with the same unverified credential wait for
/// the one verification in flight instead of each running bcrypt; every turn is still single-threaded.
/// Placed on the silo of the first edge that asks, so in the combined role the hot path stays in-process.
/// </summary>
[Reentrant]
[PreferLocalPlacement]
public sealed partial class UserGrain : Grain, IUserGrain
{
    /// <summary>How long a request waits for a concurrent verification before it verifies itself.</summary>
    internal static readonly TimeSpan PendingVerificationTimeout = TimeSpan.FromSeconds(5);

    private readonly TimeProvider _time;
    private readonly ILogger<UserGrain> _logger;
    private readonly List<PendingVerification> _pending = [];
    private byte[]? _cachedFingerprint;
    private DateTimeOffset _cachedUntil;

    /// <summary>Creates the grain.</summary>
    public UserGrain(TimeProvider time, ILogger<UserGrain> logger)
    {
        _time = time;
        _logger = logger;
    }

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Log.Activated(_logger, this.GetPrimaryKeyString(), RuntimeIdentity);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<CredentialDecision> CheckAsync(CredentialCheck check)
    {
        var now = _time.GetUtcNow();
        if (_cachedFingerprint is not null && now < _cachedUntil && CryptographicOperations.FixedTimeEquals(_cachedFingerprint, check.Fingerprint))
        {
            return new CredentialDecision { Outcome = CredentialOutcome.Allowed, CacheHit = true };
        }

        var pending = FindPending(check.Fingerprint, now);
        if (pending is not null)
        {
            try
            {
                var succeeded = await pending.Completion.Task.WaitAsync(pending.Deadline - now, _time);
                return new CredentialDecision { Outcome = succeeded ? CredentialOutcome.Allowed : CredentialOutcome.Denied, Coalesced = true };
            }
            catch (TimeoutException)
            {
                // The edge that verifies went away without reporting: verify here instead.
                _pending.Remove(pending);
                now = _time.GetUtcNow();
            }
        }

        var ticket = new PendingVerification(Guid.NewGuid(), check.Fingerprint, now + PendingVerificationTimeout);
        _pending.Add(ticket);
        return new CredentialDecision { Outcome = CredentialOutcome.VerifyRequired, Ticket = ticket.Ticket };
    }

    /// <inheritdoc />
    public Task ReportAsync(VerificationReport report)
    {
        for (var i = 0; i < _pending.Count; i++)
        {
            if (_pending[i].Ticket == report.Ticket)
            {
                var pending = _pending[i];
                _pending.RemoveAt(i);
                pending.Completion.TrySetResult(report.Succeeded);
                break;
            }
        }

        if (report.Succeeded && report.CacheFor > TimeSpan.Zero)
        {
            _cachedFingerprint = report.Fingerprint;
            _cachedUntil = _time.GetUtcNow() + report.CacheFor;
        }

        return Task.CompletedTask;
    }

    private PendingVerification? FindPending(byte[] fingerprint, DateTimeOffset now)
    {
        for (var i = _pending.Count - 1; i >= 0; i--)
        {
            var candidate = _pending[i];
            if (candidate.Deadline <= now)
            {
                _pending.RemoveAt(i);
                candidate.Completion.TrySetException(new TimeoutException());
                continue;
            }

            if (CryptographicOperations.FixedTimeEquals(candidate.Fingerprint, fingerprint))
            {
                return candidate;
            }
        }

        return null;
    }

    private sealed class PendingVerification(Guid ticket, byte[] fingerprint, DateTimeOffset deadline)
    {
        public Guid Ticket { get; } = ticket;

        public byte[] Fingerprint { get; } = fingerprint;

        public DateTimeOffset Deadline { get; } = deadline;

        public TaskCompletionSource<bool> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "User grain for '{User}' activated on {Silo}")]
        public static partial void Activated(ILogger logger, string user, string silo);
    }
}
