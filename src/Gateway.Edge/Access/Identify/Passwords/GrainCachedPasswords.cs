using System.Diagnostics;
using Gateway.Contracts;
using Gateway.Edge.Access.Admit;
using Gateway.Edge.Access.Answer;
using Gateway.Edge.Telemetry;
using Gateway.Registry.Credentials;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Access.Identify.Passwords;

/// <summary>
/// The one flow of every password-like credential (htpasswd, and any <see cref="ICredentialVerifier"/>): a keyed
/// fingerprint of the credential (cluster secret; never the password) → one call to the account's grain, which answers
/// from its cache, refuses by its locks and limits, or hands out one verification ticket (concurrent requests with the
/// same credential wait for that one) → the verifier on this edge only then → the result reported to the grain, which
/// counts a failure toward the lockouts, caches a success with its labels, and answers the final decision. A source
/// that is down (<see cref="VerificationOutcome.Unavailable"/>) counts nothing: the grain still allows a credential
/// verified within its outage grace, anything else is 503.
/// </summary>
public sealed class GrainCachedPasswords(BoundedGrainCalls calls, FingerprintKey key, IOptions<AuthOptions> options, TimeProvider time, EdgeMetrics metrics)
{
    /// <summary>Identifies <paramref name="credentials"/> as the account <paramref name="account"/> (its grain's key).</summary>
    /// <param name="request">The request.</param>
    /// <param name="account">The account, and the key of its grain (the user name; for a federated token, the account it maps to).</param>
    /// <param name="credentials">The credentials presented.</param>
    /// <param name="verifier">The source that checks them on a cache miss.</param>
    /// <param name="cancellationToken">The request's cancellation.</param>
    public async ValueTask<IdentityResult> IdentifyAsync(AccessRequest request, string account, BasicCredentials credentials, ICredentialVerifier verifier, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var fingerprint = CredentialFingerprint.Compute(key.Value.Span, credentials.UserName, credentials.Password, verifier.FingerprintContext(credentials.UserName));
        var check = new CredentialCheck { Fingerprint = fingerprint, ClientAddress = request.ClientAddress, Kind = request.Kind };
        var (decided, decision) = await calls.CallAsync(static (g, s) => g.CheckAsync(s.Account, s.Check), (Account: account, Check: check), "IUserGrain.CheckAsync", started).ConfigureAwait(false);
        if (!decided)
        {
            return IdentityResult.Refused(AccessRefusals.Unavailable());
        }

        var cache = decision.CacheHit ? CacheResult.Hit : decision.Coalesced ? CacheResult.Coalesced : decision.Reason == DenialReason.RepeatedFailure ? CacheResult.Repeat : CacheResult.None;
        switch (decision.Outcome)
        {
            case CredentialOutcome.Locked:
                return IdentityResult.Refused(AccessRefusals.Limit(decision, request.Surface, request.Scopes));
            case CredentialOutcome.Allowed:
                metrics.CacheLookup(cache.Label());
                return Identified(account, decision, cache, IdentityLabels.FromGrain(decision.Labels));
            case CredentialOutcome.RateLimited:
                metrics.CacheLookup(cache.Label());
                return IdentityResult.Refused(AccessRefusals.Limit(decision, request.Surface, request.Scopes));
            case CredentialOutcome.Unavailable:
                return IdentityResult.Refused(AccessRefusals.Unavailable("the identity source is unavailable"));
            case CredentialOutcome.Denied:
                // Denied without a verification of its own (it waited for the same wrong credential's, or the grain knew it
                // had failed from this address before): held as long as any other failure, counted from the request's start.
                metrics.CacheLookup(cache.Label());
                await verifier.PadFailureAsync(Stopwatch.GetElapsedTime(started), cancellationToken).ConfigureAwait(false);
                return IdentityResult.Refused(AccessRefusals.InvalidCredentials(request, repeat: cache == CacheResult.Repeat));
        }

        metrics.CacheLookup(CacheResult.Miss.Label());
        var verifying = Stopwatch.GetTimestamp();
        var verification = await verifier.VerifyAsync(credentials.UserName, credentials.Password, cancellationToken).ConfigureAwait(false);
        var spent = Stopwatch.GetElapsedTime(verifying);
        var report = new VerificationReport
        {
            Ticket = decision.Ticket,
            Fingerprint = fingerprint,
            Result = verification.Outcome switch
            {
                VerificationOutcome.Valid => VerificationResult.Succeeded,
                VerificationOutcome.Unavailable => VerificationResult.SourceUnavailable,
                _ => VerificationResult.Failed,
            },
            CacheFor = CacheFor(verification),
            GraceFor = verification.OutageGrace,
            Labels = IdentityLabels.ToGrain(verification.Labels),
            ClientAddress = request.ClientAddress,
            Kind = request.Kind,
        };

        var (reported, final) = await calls.CallAsync(static (g, s) => g.ReportAsync(s.Account, s.Report), (Account: account, Report: report), "IUserGrain.ReportAsync", started).ConfigureAwait(false);
        if (verification.Outcome == VerificationOutcome.Invalid)
        {
            // An unknown user and a wrong password answer after the same time.
            await verifier.PadFailureAsync(spent, cancellationToken).ConfigureAwait(false);
            return IdentityResult.Refused(AccessRefusals.InvalidCredentials(request, repeat: false));
        }

        // A verified credential whose report cannot be delivered has no limit decision: fail closed.
        if (!reported)
        {
            return IdentityResult.Refused(AccessRefusals.Unavailable());
        }

        return final.Outcome switch
        {
            CredentialOutcome.Allowed => Identified(account, final, verification.Outcome == VerificationOutcome.Valid ? CacheResult.Miss : CacheResult.Hit, verification.Outcome == VerificationOutcome.Valid ? verification.Labels : IdentityLabels.FromGrain(final.Labels)),
            CredentialOutcome.RateLimited or CredentialOutcome.Locked => IdentityResult.Refused(AccessRefusals.Limit(final, request.Surface, request.Scopes)),
            _ => IdentityResult.Refused(AccessRefusals.Unavailable("the identity source is unavailable")),
        };
    }

    /// <summary>How long the grain may answer a success from its cache: the source's lifetime, never past the credential's own end.</summary>
    private TimeSpan CacheFor(CredentialVerification verification)
    {
        var cacheFor = verification.CacheFor ?? options.Value.CacheTtl;
        if (verification.ValidUntil is { } until)
        {
            var left = until - time.GetUtcNow();
            cacheFor = left < cacheFor ? left : cacheFor;
        }

        return cacheFor > TimeSpan.Zero ? cacheFor : TimeSpan.Zero;
    }

    private static IdentityResult Identified(string account, CredentialDecision decision, CacheResult cache, IReadOnlyDictionary<string, IReadOnlyList<string>> labels) =>
        IdentityResult.Identified(new Identity(account, IdentityKind.Password, labels)
        {
            Admission = decision,
            Cache = cache,
            Reason = cache == CacheResult.Hit ? "cached credential" : "verified credential",
        });
}
