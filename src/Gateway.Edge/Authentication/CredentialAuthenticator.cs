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
/// password does; every failure is held to the time of a verification at the file's highest cost
/// (<see cref="FailurePadding"/>). A machine account (a name with <see cref="AuthOptions.MachineAccountPrefix"/>) is decided by its own
/// grain from the SHA-256 of its secret, no bcrypt. Requests carrying a token the gateway issued are admitted by the
/// grain of the token's subject (revocation, address block, rate limits). A grain call that fails is retried once; then
/// the request is undecidable (503). All attempts together never take longer than
/// <see cref="GrainCallOptions.ResponseTimeout"/>.
/// </summary>
public sealed partial class CredentialAuthenticator(
    HtpasswdStore store,
    FingerprintKey key,
    ICredentialCache cache,
    PasswordVerifier verifier,
    FailurePadding padding,
    IOptions<AuthOptions> options,
    IOptions<GrainCallOptions> bound,
    TimeProvider time,
    EdgeMetrics metrics,
    ILogger<CredentialAuthenticator> logger)
{
    /// <summary>Authenticates one request's credentials.</summary>
    public async Task<AuthenticationResult> AuthenticateAsync(BasicCredentials credentials, string clientAddress, RequestKind kind, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (options.Value.MachineAccountOf(credentials.UserName) is { } machine)
        {
            return await AuthenticateMachineAsync(machine, credentials.Password, clientAddress, kind, started).ConfigureAwait(false);
        }

        var snapshot = store.Current;
        var entry = snapshot.Find(credentials.UserName);
        var hash = entry?.Hash ?? snapshot.DummyHash;
        var fingerprint = CredentialFingerprint.Compute(key.Value.Span, credentials.UserName, credentials.Password, hash);
        var check = new CredentialCheck { Fingerprint = fingerprint, ClientAddress = clientAddress, Kind = kind };

        var (decided, decision) = await CallAsync(static (c, s) => c.CheckAsync(s.UserName, s.Check), (credentials.UserName, Check: check), "IUserGrain.CheckAsync", started).ConfigureAwait(false);
        if (!decided)
        {
            return new(AuthenticationStatus.Unavailable, "none");
        }

        // "repeat": the grain knew this credential had failed from this address within the window (no bcrypt, not counted).
        var cacheResult = decision.CacheHit ? "hit" : decision.Coalesced ? "coalesced" : decision.Reason == DenialReason.RepeatedFailure ? "repeat" : "none";
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
                // Denied without a verification of its own (it waited for the same wrong credential's, or the grain
                // knew it had failed from this address before): held as long as any other failure, counted from the
                // request's start.
                metrics.CacheLookup(cacheResult);
                await padding.PadAsync(Stopwatch.GetElapsedTime(started), BcryptHash.TryGetCost(snapshot.DummyHash) ?? 0, cancellationToken).ConfigureAwait(false);
                return new(AuthenticationStatus.InvalidCredentials, cacheResult, decision);
        }

        metrics.CacheLookup("miss");
        var (matched, spent) = await verifier.VerifyAsync(credentials.Password, hash, cancellationToken).ConfigureAwait(false);
        var verified = matched && entry is not null;
        var report = new VerificationReport
        {
            Ticket = decision.Ticket,
            Fingerprint = fingerprint,
            Succeeded = verified,
            CacheFor = options.Value.CacheTtl,
            ClientAddress = clientAddress,
            Kind = kind,
        };

        var (reported, final) = await CallAsync(static (c, s) => c.ReportAsync(s.UserName, s.Report), (credentials.UserName, Report: report), "IUserGrain.ReportAsync", started).ConfigureAwait(false);
        if (!verified)
        {
            // An unknown user and a wrong password at any cost answer after the same time (see FailurePadding).
            await padding.PadAsync(spent, BcryptHash.TryGetCost(snapshot.DummyHash) ?? 0, cancellationToken).ConfigureAwait(false);
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
        var started = Stopwatch.GetTimestamp();
        var admission = new Admission { ClientAddress = clientAddress, Kind = kind, TokenIssuedAt = issuedAt, IsGrant = isGrant };
        var machine = options.Value.MachineAccountOf(subject);
        var principal = subject.Length == 0 ? AnonymousPrincipal(clientAddress) : subject;
        var (decided, decision) = machine is null
            ? await CallAsync(static (c, s) => c.AdmitUserAsync(s.Name, s.Admission), (Name: principal, Admission: admission), "IUserGrain.AdmitAsync", started).ConfigureAwait(false)
            : await CallAsync(static (c, s) => c.AdmitMachineAsync(s.Name, s.Admission), (Name: machine, Admission: admission), "IMachineAccountGrain.AdmitAsync", started).ConfigureAwait(false);
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

    private async Task<AuthenticationResult> AuthenticateMachineAsync(string machine, Secret secret, string clientAddress, RequestKind kind, long started)
    {
        var check = new MachineCheck { SecretHash = secret.ToSha256(), ClientAddress = clientAddress, Kind = kind };
        var (decided, decision) = await CallAsync(static (c, s) => c.AuthenticateMachineAsync(s.Name, s.Check), (Name: machine, Check: check), "IMachineAccountGrain.AuthenticateAsync", started).ConfigureAwait(false);
        return decided ? new(StatusOf(decision, AuthenticationStatus.InvalidCredentials), "none", decision) : new(AuthenticationStatus.Unavailable, "none");
    }

    private static AuthenticationStatus StatusOf(CredentialDecision decision, AuthenticationStatus denied) => decision.Outcome switch
    {
        CredentialOutcome.Allowed => AuthenticationStatus.Authenticated,
        CredentialOutcome.Locked => AuthenticationStatus.Locked,
        CredentialOutcome.RateLimited => AuthenticationStatus.RateLimited,
        _ => denied,
    };

    /// <param name="call">The grain call.</param>
    /// <param name="state">Its arguments.</param>
    /// <param name="method">Its name, for metrics and logs.</param>
    /// <param name="first">When the request's first grain call started (<see cref="Stopwatch.GetTimestamp"/>): every call of one request shares one bound.</param>
    private async Task<(bool Ok, TResult Value)> CallAsync<TState, TResult>(Func<ICredentialCache, TState, Task<TResult>> call, TState state, string method, long first)
    {
        // One bound for the request, retries included: Orleans' own timeout applies per call, and while Redis is down
        // a call can wait in the client's backlog on top of it.
        var limit = bound.Value.ResponseTimeout;
        for (var attempt = 1; ; attempt++)
        {
            var started = Stopwatch.GetTimestamp();
            var remaining = limit - Stopwatch.GetElapsedTime(first);
            try
            {
                var result = await call(cache, state).WaitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero).ConfigureAwait(false);
                metrics.RecordGrainCall(Stopwatch.GetElapsedTime(started), method, ok: true);
                return (true, result);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                metrics.RecordGrainCall(Stopwatch.GetElapsedTime(started), method, ok: false);
                metrics.ClusterCallFailed();
                Log.GrainCallFailed(logger, method, attempt, ex.GetType().Name, ex.Message);
                if (attempt >= 2 || Stopwatch.GetElapsedTime(first) >= limit - MinimumAttempt)
                {
                    return (false, default!);
                }
            }
        }
    }

    /// <summary>A retry is not worth starting with less time than this left.</summary>
    private static readonly TimeSpan MinimumAttempt = TimeSpan.FromMilliseconds(100);

    private static partial class Log
    {
        [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "Grain call {Method} failed (attempt {Attempt}): {ExceptionType}: {Reason}")]
        public static partial void GrainCallFailed(ILogger logger, string method, int attempt, string exceptionType, string reason);
    }
}
