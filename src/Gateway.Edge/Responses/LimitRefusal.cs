using System.Globalization;
using Gateway.Contracts;
using Gateway.Registry.Access;
using Gateway.Registry.Errors;

namespace Gateway.Edge.Responses;

/// <summary>Which kind of request a lock or a limit refuses: each kind gets the answer that every client reports.</summary>
public enum RefusalSurface
{
    /// <summary>A <c>/v2/</c> request with Basic credentials or a token (pull, push, delete, tags, catalog).</summary>
    Request = 0,

    /// <summary>
    /// A login check: an authenticated <c>GET /v2/</c> (basic mode), or a token request without a scope (token mode).
    /// <c>docker login</c>, <c>podman</c>/<c>buildah</c>/<c>skopeo login</c> send exactly this and nothing else.
    /// </summary>
    LoginCheck = 1,

    /// <summary>A token request that asks for scopes (token mode: every pull and push first asks for a token).</summary>
    TokenRequest = 2,
}

/// <summary>
/// The answer to a lock or a limit, as a value. Rate limits, which end soon, are 429 <c>TOOMANYREQUESTS</c> with an
/// honest <c>Retry-After</c>. Locks and address blocks, which last minutes, are answered so that docker 20.10, podman
/// 4.3, buildah 1.28, skopeo 1.9 and ctr 1.6 each stop at once and print the lock and when it ends (tried with each):
/// <list type="bullet">
/// <item>a <see cref="RefusalSurface.Request"/>: 403 <c>DENIED</c> with the message (no client retries a 403; a 429 is
/// retried five times by containers/image, sleeping its <c>Retry-After</c> up to 60 s each, and once more three times by
/// podman and buildah);</item>
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
/// <param name="Outcome">The audit and metric outcome: <c>locked</c> or <c>rate_limited</c>.</param>
/// <param name="Error">Status, code, message and detail.</param>
/// <param name="RetryAfterSeconds">The <c>Retry-After</c> value: seconds until the lock or window ends, at least 1.</param>
/// <param name="Location">The <c>Location</c> of a login check's 303, else null.</param>
/// <param name="Challenge">True when the answer needs the Basic challenge (a 401).</param>
public sealed record LimitRefusal(string Outcome, RegistryError Error, long RetryAfterSeconds, string? Location, bool Challenge)
{
    /// <summary>The answer to <paramref name="refused"/> (a <see cref="CredentialOutcome.Locked"/> or <see cref="CredentialOutcome.RateLimited"/> decision).</summary>
    /// <param name="refused">The grain's decision.</param>
    /// <param name="surface">What kind of request it refuses.</param>
    /// <param name="scopes">What the request asked for (the error's detail).</param>
    public static LimitRefusal For(CredentialDecision refused, RefusalSurface surface, IReadOnlyList<AccessScope> scopes)
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
            return new("rate_limited", new RegistryError(RegistryErrorCode.TooManyRequests, message) { Detail = detail }, retryAfter, null, false);
        }

        return surface switch
        {
            RefusalSurface.LoginCheck => new("locked", new RegistryError(RegistryErrorCode.Denied, message, StatusCodes.SeeOther) { Detail = detail }, retryAfter, location, false),
            RefusalSurface.TokenRequest => new("locked", new RegistryError(RegistryErrorCode.Unauthorized, message) { Detail = detail }, retryAfter, null, true),
            _ => new("locked", new RegistryError(RegistryErrorCode.Denied, message) { Detail = detail }, retryAfter, null, false),
        };
    }

    private static class StatusCodes
    {
        public const int SeeOther = 303;
    }
}
