using System.Collections.Concurrent;
using System.Security.Cryptography;
using Gateway.Contracts;
using Gateway.Edge.Access;
using Gateway.Edge.Access.Admit;
using Gateway.Edge.Access.Identify.Htpasswd;
using Gateway.Edge.Access.Identify.Passwords;

namespace Gateway.Edge.Tests.Support;

/// <summary>
/// A credential cache double with the user grain's caching contract (no coalescing), recording every call; admissions
/// answer <see cref="AdmissionAnswer"/> (allowed by default); machine accounts are those added with <see cref="AddMachineAccount"/>.
/// </summary>
public sealed class InMemoryAccessGrains : IAccessGrains
{
    private readonly ConcurrentDictionary<string, byte[]> _verified = new();
    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, string[]>?> _labels = new();
    private int _failuresToInject;

    public ConcurrentQueue<(string User, CredentialCheck Check)> Checks { get; } = new();

    public int CheckCalls => Checks.Count;

    public ConcurrentQueue<(string Subject, Admission Admission)> Admissions { get; } = new();

    /// <summary>The answer to credential checks instead of the cache's own; null: the cache decides.</summary>
    public Func<string, CredentialCheck, CredentialDecision>? CheckAnswer { get; set; }

    /// <summary>The answer to admissions (user or machine); null: allowed.</summary>
    public Func<string, Admission, CredentialDecision>? AdmissionAnswer { get; set; }

    private readonly ConcurrentDictionary<string, (byte[] Hash, string[] Scopes)> _machines = new();

    public void AddMachineAccount(string name, string secret, params string[] scopes) =>
        _machines[name] = (SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret)), scopes);

    public void RemoveMachineAccount(string name) => _machines.TryRemove(name, out _);

    /// <summary>Makes the next <paramref name="count"/> calls throw, as a grain call does while a silo dies.</summary>
    public void FailNext(int count) => Interlocked.Exchange(ref _failuresToInject, count);

    public Task<CredentialDecision> CheckAsync(string userName, CredentialCheck check)
    {
        Checks.Enqueue((userName, check));
        if (Interlocked.Decrement(ref _failuresToInject) >= 0)
        {
            return Task.FromException<CredentialDecision>(new TimeoutException("simulated silo failure"));
        }

        if (CheckAnswer is { } answer)
        {
            return Task.FromResult(answer(userName, check));
        }

        if (_verified.TryGetValue(userName, out var fingerprint) && CryptographicOperations.FixedTimeEquals(fingerprint, check.Fingerprint))
        {
            return Task.FromResult(new CredentialDecision { Outcome = CredentialOutcome.Allowed, CacheHit = true, Labels = _labels.GetValueOrDefault(userName) });
        }

        return Task.FromResult(new CredentialDecision { Outcome = CredentialOutcome.VerifyRequired, Ticket = Guid.NewGuid() });
    }

    public Task<CredentialDecision> ReportAsync(string userName, VerificationReport report)
    {
        var succeeded = report.Result == VerificationResult.Succeeded;
        if (succeeded && report.CacheFor > TimeSpan.Zero)
        {
            _verified[userName] = report.Fingerprint;
            _labels[userName] = report.Labels;
        }

        return Task.FromResult(new CredentialDecision
        {
            Outcome = report.Result switch
            {
                VerificationResult.Succeeded => CredentialOutcome.Allowed,
                VerificationResult.SourceUnavailable => CredentialOutcome.Unavailable,
                _ => CredentialOutcome.Denied,
            },
            Labels = succeeded ? report.Labels : null,
        });
    }

    public Task<CredentialDecision> AdmitUserAsync(string userName, Admission admission)
    {
        Admissions.Enqueue((userName, admission));
        return Task.FromResult(AdmissionAnswer?.Invoke(userName, admission) ?? new CredentialDecision { Outcome = CredentialOutcome.Allowed });
    }

    public Task<CredentialDecision> AuthenticateMachineAsync(string accountName, MachineCheck check) =>
        Task.FromResult(_machines.TryGetValue(accountName, out var account) && CryptographicOperations.FixedTimeEquals(account.Hash, check.SecretHash)
            ? new CredentialDecision { Outcome = CredentialOutcome.Allowed, Scopes = account.Scopes }
            : new CredentialDecision { Outcome = CredentialOutcome.Denied });

    public Task<CredentialDecision> AdmitMachineAsync(string accountName, Admission admission)
    {
        Admissions.Enqueue((accountName, admission));
        if (!_machines.TryGetValue(accountName, out var account))
        {
            return Task.FromResult(new CredentialDecision { Outcome = CredentialOutcome.Denied, Reason = DenialReason.TokenRevoked });
        }

        return Task.FromResult(AdmissionAnswer?.Invoke(accountName, admission) ?? new CredentialDecision { Outcome = CredentialOutcome.Allowed, Scopes = account.Scopes });
    }
}
