using System.Globalization;
using Gateway.Contracts;
using Gateway.Registry.Access;
using Gateway.Registry.Errors;

namespace Gateway.Edge.Access.Answer;

/// <summary>
/// Every refusal of the gate and the token endpoint, made in one place so that each reads the same wherever it is
/// answered. Locks and limits (<see cref="Limit"/>) are answered so that every real client stops and prints them.
/// </summary>
public static class AccessRefusals
{
    /// <summary>
    /// The token endpoint's message for a refused password: not the code's default, which docker reduces to a bare
    /// <c>unauthorized</c> when no scope was asked (a login); the same for an unknown user and a wrong password.
    /// </summary>
    public const string InvalidCredentialsMessage = "authentication required: unknown user or wrong password";

    private const string UnavailableMessage = "the gateway cluster cannot decide right now; retry shortly";

    /// <summary>A Docker client of 1.5 or older.</summary>
    public static AccessRefusal LegacyClient() =>
        new(AccessOutcome.LegacyClient, new RegistryError(RegistryErrorCode.Unsupported, "registry API v2 is not available to this client version; upgrade Docker", 404), "docker 1.5 or older");

    /// <summary>
    /// A request without a Host: Go's server takes one, and the registry then builds upload URLs such as <c>http:///v2/…</c>.
    /// </summary>
    public static AccessRefusal NoHost() =>
        new(AccessOutcome.BadRequest, new RegistryError(RegistryErrorCode.Unsupported, "a Host header is required", 400), "no Host");

    /// <summary>A request the gate cannot read as the registry would (<paramref name="status"/> is not <see cref="RequestReadStatus.Ok"/>).</summary>
    public static AccessRefusal Unreadable(RequestReadStatus status) =>
        new(AccessOutcome.BadRequest, RequestRefusals.ErrorFor(status), RequestRefusals.ReasonFor(status));

    /// <summary>A manifest reference that is neither a tag nor a digest: the registry's own 404.</summary>
    public static AccessRefusal ManifestUnknown() =>
        new(AccessOutcome.NotFound, new RegistryError(RegistryErrorCode.ManifestUnknown), "the reference is neither a tag nor a digest");

    /// <summary>No credentials, or an unreadable <c>Authorization</c> header: the challenge, with what was asked as detail.</summary>
    public static AccessRefusal Unauthenticated(bool malformed, IReadOnlyList<AccessScope> scopes, ChallengeKind challenge = ChallengeKind.Basic) =>
        new(malformed ? AccessOutcome.MalformedCredentials : AccessOutcome.Unauthenticated, new RegistryError(RegistryErrorCode.Unauthorized) { Detail = RegistryAccessRecord.From(scopes) }, malformed ? "malformed Authorization header" : "no credentials")
        {
            Challenge = challenge,
        };

    /// <summary>
    /// Unknown user or wrong password (the same answer for both). <paramref name="repeat"/>: the same wrong credential
    /// again from the same address, refused without a check and not counted again.
    /// </summary>
    public static AccessRefusal InvalidCredentials(AccessRequest request, bool repeat)
    {
        // The registry's htpasswd mode answers /v2/ with the default message; at /token the message names the failure.
        var error = request.AtTokenEndpoint
            ? new RegistryError(RegistryErrorCode.Unauthorized, InvalidCredentialsMessage) { Detail = RegistryAccessRecord.From(request.Scopes) }
            : new RegistryError(RegistryErrorCode.Unauthorized) { Detail = RegistryAccessRecord.From(request.Scopes) };
        return new(AccessOutcome.InvalidCredentials, error, repeat ? "unknown user or wrong password, repeated (not counted again)" : "unknown user or wrong password")
        {
            Challenge = ChallengeKind.Basic,
        };
    }

    /// <summary>The cluster (or an identity source) could not decide: 503, retry in a second, never let through.</summary>
    public static AccessRefusal Unavailable(string reason = "the cluster could not decide") =>
        new(AccessOutcome.Unavailable, new RegistryError(RegistryErrorCode.Unavailable, UnavailableMessage), reason) { RetryAfterSeconds = 1 };

    /// <summary>
    /// What the ACL (or a machine account's scopes) refused: 403 <c>DENIED</c> naming it (message and detail), so every
    /// client prints it and none retries. A mount whose source alone is refused says so.
    /// </summary>
    public static AccessRefusal Denied(IReadOnlyList<AccessScope> refused, bool onlyMountSource)
    {
        var message = "requested access to the resource is denied: " + RegistryAccessRecord.Describe(refused) + (onlyMountSource ? " (the cross-repository mount source)" : string.Empty);
        return new(AccessOutcome.Denied, new RegistryError(RegistryErrorCode.Denied, message) { Detail = RegistryAccessRecord.From(refused) }, onlyMountSource ? "mount source denied by the ACL" : "denied by the ACL");
    }

    /// <summary>Token mode: a Bearer token that is missing, invalid or revoked (registry 2.8's 401, Bearer challenge).</summary>
    public static AccessRefusal BadToken(AccessOutcome outcome, IReadOnlyList<AccessScope> scopes, string reason) =>
        new(outcome, new RegistryError(RegistryErrorCode.Unauthorized) { Detail = RegistryAccessRecord.From(scopes) }, reason)
        {
            Challenge = ChallengeKind.Bearer,
            BearerError = outcome == AccessOutcome.Unauthenticated ? null : "invalid_token",
        };

    /// <summary>
    /// Token mode: a valid token that does not grant <paramref name="notGranted"/>: 401 <c>insufficient_scope</c>, named
    /// in the message and in RFC 6750's <c>error_description</c> (docker reports it as DENIED with this text).
    /// </summary>
    public static AccessRefusal InsufficientScope(IReadOnlyList<AccessScope> notGranted) =>
        new(AccessOutcome.InsufficientScope, new RegistryError(RegistryErrorCode.Unauthorized, "requested access to the resource is denied: " + RegistryAccessRecord.Describe(notGranted)) { Detail = RegistryAccessRecord.From(notGranted) }, "the token does not grant the request")
        {
            Challenge = ChallengeKind.Bearer,
            BearerError = "insufficient_scope",
            DescribeInChallenge = true,
        };

    /// <summary>The token endpoint's refresh grant: a refresh token that is invalid, expired or revoked.</summary>
    public static AccessRefusal BadRefreshToken(AccessOutcome outcome) =>
        new(outcome, new RegistryError(RegistryErrorCode.Unauthorized, "the refresh token is invalid, expired or revoked; log in again"), outcome == AccessOutcome.RevokedRefreshToken ? "the refresh token was revoked" : "the refresh token is invalid or expired");

    /// <summary>
    /// A lock, an address block or a rate limit (<paramref name="refused"/> is a <see cref="CredentialOutcome.Locked"/> or
    /// <see cref="CredentialOutcome.RateLimited"/> decision). Rate limits, which end soon, are 429 <c>TOOMANYREQUESTS</c>
    /// with an honest <c>Retry-After</c>. Locks and blocks, which last minutes, are answered so that docker 20.10, podman
    /// 4.3, buildah 1.28, skopeo 1.9 and ctr 1.6 each stop at once and print the lock and when it ends (tried with each):
    /// <list type="bullet">
    /// <item>a <see cref="RefusalSurface.Request"/>: 403 <c>DENIED</c> with the message (no client retries a 403; a 429 is
    /// retried five times by containers/image, sleeping its <c>Retry-After</c> up to 60 s each, and once more three times
    /// by podman and buildah);</item>
    /// <item>a <see cref="RefusalSurface.TokenRequest"/>: 401 <c>UNAUTHORIZED</c> with the message and a Basic challenge
    /// (containers/image prints a token endpoint's 401 body, but neither the body of a 403 nor of a 429);</item>
    /// <item>a <see cref="RefusalSurface.LoginCheck"/>: 303 See Other to <c>account-locked:until-…</c>. docker's daemon
    /// reports only the status code of a failed login check, containers/image only "too many requests", "invalid
    /// username/password" or the status; all of them follow a redirect and report the target they cannot fetch: <c>Get
    /// "account-locked:for-this-address-until-2026-12-01T10:15:00Z": unsupported protocol scheme "account-locked"</c>.</item>
    /// </list>
    /// Every answer carries the message in the body and in the status line (which is all ctr prints) and the remaining
    /// time in <c>Retry-After</c>.
    /// </summary>
    public static AccessRefusal Limit(CredentialDecision refused, RefusalSurface surface, IReadOnlyList<AccessScope> scopes)
    {
        ArgumentNullException.ThrowIfNull(refused);
        ArgumentNullException.ThrowIfNull(scopes);
        var retryAfter = Math.Max(1, (long)Math.Ceiling(refused.RetryAfter.TotalSeconds));
        var until = refused.LockedUntil?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var window = (long)Math.Ceiling(refused.Window.TotalSeconds);
        var (message, location) = refused.Reason switch
        {
            DenialReason.PairLocked => ($"account locked for this address until {until} after {refused.Failures} failed attempts", $"account-locked:for-this-address-until-{until}"),
            DenialReason.UserLocked => ($"account locked until {until} after {refused.Failures} failed attempts", $"account-locked:until-{until}"),
            DenialReason.AddressBlocked => ($"this client address is blocked until {until} after {refused.Failures} failed attempts", $"address-blocked:until-{until}"),
            DenialReason.PullLimit => ($"pull rate limit reached ({refused.Limit} per {window} s), resets in {retryAfter} s", null),
            _ => ($"request rate limit reached ({refused.Limit} per {window} s), resets in {retryAfter} s", null),
        };
        var detail = RegistryAccessRecord.From(scopes);
        if (location is null)
        {
            return new(AccessOutcome.RateLimited, new RegistryError(RegistryErrorCode.TooManyRequests, message) { Detail = detail }, message)
            {
                RetryAfterSeconds = retryAfter,
                Pulls = refused.Pulls,
                LimitName = refused.Reason == DenialReason.PullLimit ? "pulls" : "requests",
            };
        }

        var error = surface switch
        {
            RefusalSurface.LoginCheck => new RegistryError(RegistryErrorCode.Denied, message, SeeOther) { Detail = detail },
            RefusalSurface.TokenRequest => new RegistryError(RegistryErrorCode.Unauthorized, message) { Detail = detail },
            _ => new RegistryError(RegistryErrorCode.Denied, message) { Detail = detail },
        };
        return new(AccessOutcome.Locked, error, message)
        {
            RetryAfterSeconds = retryAfter,
            Location = surface == RefusalSurface.LoginCheck ? location : null,
            Challenge = surface == RefusalSurface.TokenRequest ? ChallengeKind.Basic : ChallengeKind.None,
            Pulls = refused.Pulls,
        };
    }

    private const int SeeOther = 303;
}
