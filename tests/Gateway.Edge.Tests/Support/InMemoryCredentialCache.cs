using System.Collections.Concurrent;
using System.Security.Cryptography;
using Gateway.Contracts;
using Gateway.Edge.Authentication;

namespace Gateway.Edge.Tests.Support;

/// <summary>A credential cache double with the user grain's caching contract (no coalescing), recording every call.</summary>
public sealed class InMemoryCredentialCache : ICredentialCache
{
    private readonly ConcurrentDictionary<string, byte[]> _verified = new();
    private int _failuresToInject;

    public ConcurrentQueue<(string User, CredentialCheck Check)> Checks { get; } = new();

    public int CheckCalls => Checks.Count;

    /// <summary>Makes the next <paramref name="count"/> calls throw, as a grain call does while a silo dies.</summary>
    public void FailNext(int count) => Interlocked.Exchange(ref _failuresToInject, count);

    public Task<CredentialDecision> CheckAsync(string userName, CredentialCheck check)
    {
        Checks.Enqueue((userName, check));
        if (Interlocked.Decrement(ref _failuresToInject) >= 0)
        {
            return Task.FromException<CredentialDecision>(new TimeoutException("simulated silo failure"));
        }

        if (_verified.TryGetValue(userName, out var fingerprint) && CryptographicOperations.FixedTimeEquals(fingerprint, check.Fingerprint))
        {
            return Task.FromResult(new CredentialDecision { Outcome = CredentialOutcome.Allowed, CacheHit = true });
        }

        return Task.FromResult(new CredentialDecision { Outcome = CredentialOutcome.VerifyRequired, Ticket = Guid.NewGuid() });
    }

    public Task<CredentialDecision> ReportAsync(string userName, VerificationReport report)
    {
        if (report.Succeeded && report.CacheFor > TimeSpan.Zero)
        {
            _verified[userName] = report.Fingerprint;
        }

        return Task.FromResult(new CredentialDecision { Outcome = report.Succeeded ? CredentialOutcome.Allowed : CredentialOutcome.Denied });
    }
}
