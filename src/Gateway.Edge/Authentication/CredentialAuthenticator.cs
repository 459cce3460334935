using System.Diagnostics;
using Gateway.Contracts;
using Gateway.Edge.Telemetry;
using Gateway.Registry.Credentials;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Authentication;

/// <summary>
/// Authenticates Basic credentials: fingerprint → one call to the user's grain → bcrypt on this edge only when the
/// grain has not seen the credential verified within the cache lifetime and no lock refuses it. An unknown user is
/// checked against the file's dummy hash through the same path, so it costs, counts and answers exactly as a wrong
/// password does. A machine account (a name with <see cref="AuthOptions.MachineAccountPrefix"/>) is decided by its own
/// grain from the SHA-256 of its secret, no bcrypt. Requests carrying a token the gateway issued are admitted by the
/// grain of the token's subject (revocation, address block, rate limits). A grain call that fails is retried once; then
/// the request is undecidable (503).
/// </summary>
public sealed partial class CredentialAuthenticator(
    HtpasswdStore store,
    FingerprintKey key,
    ICredentialCache cache,
    PasswordVerifier verifier,
    IOptions<AuthOptions> options,
    TimeProvider time,
    EdgeMetrics metrics,
    ILogger<CredentialAuthenticator> logger)
{
    /// <summary>Authenticates one request's credentials.</summary>
    public async Task<AuthenticationResult> AuthenticateAsync(BasicCredentials credentials, string clientAddress, RequestKind kind, CancellationToken cancellationToken)
    {
        if (options.Value.MachineAccountOf(credentials.UserName) is { } machine)
        {
            return await AuthenticateMachineAsync(machine, credentials.Password, clientAddress, kind).ConfigureAwait(false);
        }

        var snapshot = store.Current;
        var entry = snapshot.Find(credentials.UserName);
        var hash = entry?.Hash ?? snapshot.DummyHash;
        var fingerprint = CredentialFingerprint.Compute(key.Value.Span, credentials.UserName, credentials.Password, hash);
        var check = new CredentialCheck { Fingerprint = fingerprint, ClientAddress = clientAddress, Kind = kind };

        var (decided, decision) = await CallAsync(static (c, s) => c.CheckAsync(s.UserName, s.Check), (credentials.UserName, Check: check), "IUserGrain.CheckAsync").ConfigureAwait(false);
        if (!decided)
        {
            return new(AuthenticationStatus.Unavailable, "none");
        }

        var cacheResult = decision.CacheHit ? "hit" : decision.Coalesced ? "coalesced" : "none";
        switch (decision.Outcome)
        {
            case CredentialOutcome.Locked:
                return new(AuthenticationStatus.Locked, "none", decision);
            case CredentialOutcome.Allowed when entry is not null:
                metrics.CacheLookup(cacheResult);
                return new(AuthenticationStatus.Authenticated, cacheResult, decision);
            case CredentialOutcome.RateLimited when entry is not null:
                metrics.CacheLookup(cacheResult);
                return new(AuthenticationStatus.RateLimited, cacheResult, decision);
            case CredentialOutcome.Allowed:
            case CredentialOutcome.RateLimited:
            case CredentialOutcome.Denied:
                metrics.CacheLookup(cacheResult);
                return new(AuthenticationStatus.InvalidCredentials, cacheResult, decision);
        }

        metrics.CacheLookup("miss");
        var verified = await verifier.VerifyAsync(credentials.Password, hash, cancellationToken).ConfigureAwait(false) && entry is not null;
        var report = new VerificationReport
        {
            Ticket = decision.Ticket,
            Fingerprint = fingerprint,
            Succeeded = verified,
            CacheFor = options.Value.CacheTtl,
            ClientAddress = clientAddress,
            Kind = kind,
        };

        var (reported, final) = await CallAsync(static (c, s) => c.ReportAsync(s.UserName, s.Report), (credentials.UserName, Report: report), "IUserGrain.ReportAsync").ConfigureAwait(false);
        if (!verified)
        {
            return new(AuthenticationStatus.InvalidCredentials, "miss", final);
        }

        // A verified credential whose report cannot be delivered has no limit decision: fail closed.
        if (!reported)
        {
            return new(AuthenticationStatus.Unavailable, "miss");
        }

        return final.Outcome == CredentialOutcome.RateLimited
            ? new(AuthenticationStatus.RateLimited, "miss", final)
            : new(AuthenticationStatus.Authenticated, "miss", final);
    }

    /// <summary>
    /// Admits a request carrying a token issued to <paramref name="subject"/> at <paramref name="issuedAt"/>:
    /// <see cref="AuthenticationStatus.Revoked"/> once the subject's tokens were revoked, else as the grain's locks and
    /// limits decide (<paramref name="isGrant"/>: a refresh grant, which locks refuse too).
    /// </summary>
    public async Task<AuthenticationResult> AdmitAsync(string subject, string clientAddress, RequestKind kind, DateTimeOffset issuedAt, bool isGrant)
    {
        var admission = new Admission { ClientAddress = clientAddress, Kind = kind, TokenIssuedAt = issuedAt, IsGrant = isGrant };
        var machine = options.Value.MachineAccountOf(subject);
        var principal = subject.Length == 0 ? AnonymousPrincipal(clientAddress) : subject;
        var (decided, decision) = machine is null
            ? await CallAsync(static (c, s) => c.AdmitUserAsync(s.Name, s.Admission), (Name: principal, Admission: admission), "IUserGrain.AdmitAsync").ConfigureAwait(false)
            : await CallAsync(static (c, s) => c.AdmitMachineAsync(s.Name, s.Admission), (Name: machine, Admission: admission), "IMachineAccountGrain.AdmitAsync").ConfigureAwait(false);
        return decided ? new(StatusOf(decision, AuthenticationStatus.Revoked), "none", decision) : new(AuthenticationStatus.Unavailable, "none");
    }

    /// <summary>
    /// Admits a request without credentials (<see cref="AuthOptions.Anonymous"/>): the anonymous clients of one address
    /// (IPv6 by /64) share one grain and its rate limits; a blocked address is refused.
    /// </summary>
    public Task<AuthenticationResult> AdmitAnonymousAsync(string clientAddress, RequestKind kind) =>
        AdmitAsync(string.Empty, clientAddress, kind, time.GetUtcNow(), isGrant: false);

    /// <summary>
    /// The grain key of the anonymous clients at an address: it holds a <c>:</c>, which no htpasswd user name can, so it
    /// never names a user's grain.
    /// </summary>
    internal static string AnonymousPrincipal(string clientAddress) => ":anonymous:" + Gateway.Registry.Policies.ClientAddressKey.For(clientAddress);

    private async Task<AuthenticationResult> AuthenticateMachineAsync(string machine, Secret secret, string clientAddress, RequestKind kind)
    {
        var check = new MachineCheck { SecretHash = secret.ToSha256(), ClientAddress = clientAddress, Kind = kind };
        var (decided, decision) = await CallAsync(static (c, s) => c.AuthenticateMachineAsync(s.Name, s.Check), (Name: machine, Check: check), "IMachineAccountGrain.AuthenticateAsync").ConfigureAwait(false);
        return decided ? new(StatusOf(decision, AuthenticationStatus.InvalidCredentials), "none", decision) : new(AuthenticationStatus.Unavailable, "none");
    }

    private static AuthenticationStatus StatusOf(CredentialDecision decision, AuthenticationStatus denied) => decision.Outcome switch
    {
        CredentialOutcome.Allowed => AuthenticationStatus.Authenticated,
        CredentialOutcome.Locked => AuthenticationStatus.Locked,
        CredentialOutcome.RateLimited => AuthenticationStatus.RateLimited,
        _ => denied,
    };

    private async Task<(bool Ok, TResult Value)> CallAsync<TState, TResult>(Func<ICredentialCache, TState, Task<TResult>> call, TState state, string method)
    {
        for (var attempt = 1; ; attempt++)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                var result = await call(cache, state).ConfigureAwait(false);
                metrics.RecordGrainCall(Stopwatch.GetElapsedTime(started), method, ok: true);
                return (true, result);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                metrics.RecordGrainCall(Stopwatch.GetElapsedTime(started), method, ok: false);
                metrics.ClusterCallFailed();
                Log.GrainCallFailed(logger, method, attempt, ex.GetType().Name, ex.Message);
                if (attempt >= 2)
                {
                    return (false, default!);
                }
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Grain call {Method} failed (attempt {Attempt}): {ExceptionType}: {Reason}")]
        public static partial void GrainCallFailed(ILogger logger, string method, int attempt, string exceptionType, string reason);
    }
}
