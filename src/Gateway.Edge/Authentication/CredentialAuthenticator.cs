using Gateway.Contracts;
using Gateway.Edge.Telemetry;
using Gateway.Registry.Credentials;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Authentication;

/// <summary>
/// Authenticates Basic credentials: fingerprint → one call to the user's grain → bcrypt on this edge only
/// when the grain has not seen the credential verified within the cache lifetime. An unknown user is
/// checked against the file's dummy hash through the same path, so it costs and answers exactly as a wrong
/// password does. A grain call that fails is retried once; then the request is undecidable (503).
/// </summary>
public sealed partial class CredentialAuthenticator(
    HtpasswdStore store,
    FingerprintKey key,
    ICredentialCache cache,
    PasswordVerifier verifier,
    IOptions<AuthOptions> options,
    EdgeMetrics metrics,
    ILogger<CredentialAuthenticator> logger)
{
    /// <summary>Authenticates one request's credentials.</summary>
    public async Task<AuthenticationResult> AuthenticateAsync(BasicCredentials credentials, string clientAddress, CancellationToken cancellationToken)
    {
        var snapshot = store.Current;
        var entry = snapshot.Find(credentials.UserName);
        var hash = entry?.Hash ?? snapshot.DummyHash;
        var fingerprint = CredentialFingerprint.Compute(key.Value.Span, credentials.UserName, credentials.Password, hash);
        var check = new CredentialCheck { Fingerprint = fingerprint, ClientAddress = clientAddress };

        var (decided, decision) = await CallAsync(static (c, s) => c.CheckAsync(s.UserName, s.Check), (credentials.UserName, Check: check)).ConfigureAwait(false);
        if (!decided)
        {
            return new(AuthenticationStatus.Unavailable, "none");
        }

        switch (decision.Outcome)
        {
            case CredentialOutcome.Allowed when entry is not null:
                metrics.CacheLookup(decision.CacheHit ? "hit" : "coalesced");
                return new(AuthenticationStatus.Authenticated, decision.CacheHit ? "hit" : "coalesced");
            case CredentialOutcome.Allowed:
            case CredentialOutcome.Denied:
                metrics.CacheLookup(decision.CacheHit ? "hit" : "coalesced");
                return new(AuthenticationStatus.InvalidCredentials, decision.CacheHit ? "hit" : "coalesced");
        }

        metrics.CacheLookup("miss");
        var verified = await verifier.VerifyAsync(credentials.Password, hash, cancellationToken).ConfigureAwait(false) && entry is not null;
        var report = new VerificationReport
        {
            Ticket = decision.Ticket,
            Fingerprint = fingerprint,
            Succeeded = verified,
            CacheFor = options.Value.CacheTtl,
        };

        // A report that cannot be delivered costs a later bcrypt, nothing else: the decision stands.
        await CallAsync(static (c, s) => ReportAsync(c, s.UserName, s.Report), (credentials.UserName, Report: report)).ConfigureAwait(false);
        return new(verified ? AuthenticationStatus.Authenticated : AuthenticationStatus.InvalidCredentials, "miss");
    }

    private static async Task<bool> ReportAsync(ICredentialCache cache, string userName, VerificationReport report)
    {
        await cache.ReportAsync(userName, report).ConfigureAwait(false);
        return true;
    }

    private async Task<(bool Ok, TResult Value)> CallAsync<TState, TResult>(Func<ICredentialCache, TState, Task<TResult>> call, TState state)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return (true, await call(cache, state).ConfigureAwait(false));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                metrics.ClusterCallFailed();
                Log.GrainCallFailed(logger, attempt, ex.GetType().Name, ex.Message);
                if (attempt >= 2)
                {
                    return (false, default!);
                }
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Credential grain call failed (attempt {Attempt}): {ExceptionType}: {Reason}")]
        public static partial void GrainCallFailed(ILogger logger, int attempt, string exceptionType, string reason);
    }
}
