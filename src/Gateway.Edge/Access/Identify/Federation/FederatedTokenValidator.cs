using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Gateway.Registry.Logging;

namespace Gateway.Edge.Access.Identify.Federation;

/// <summary>
/// Validates a CI job's OpenID Connect token strictly: JWS compact form, RS256/ES256 only, no key in the header,
/// a trusted <c>iss</c>, the issuer's <c>aud</c>, <c>exp</c> (required) and <c>nbf</c>/<c>iat</c> within
/// <see cref="FederationOptions.ClockSkew"/>, the issuer's required claims, an account from its template, and last
/// (the only costly step) the signature with the issuer's published key for the token's <c>kid</c>. Nothing of the
/// token is logged: refusals are logged at Debug by reason, issuer and account only.
/// </summary>
public sealed partial class FederatedTokenValidator(
    TrustedIssuers issuers,
    IOptions<FederationOptions> options,
    TimeProvider time,
    FederationMetrics metrics,
    ILogger<FederatedTokenValidator> logger)
{
    /// <summary>
    /// Reads a token without verifying it: its trusted issuer and the account its claims map to. The grain call that
    /// precedes verification needs the account; a cache hit there is only possible for the exact token that was verified
    /// before (its keyed fingerprint), so the unverified reading decides nothing by itself.
    /// </summary>
    public FederatedValidation Peek(string token) =>
        CompactJws.TryParse(token, options.Value.MaxTokenLength, out var rejection) is { } jws ? Read(jws) : FederatedValidation.Refused(rejection);

    /// <summary>
    /// <see cref="Peek"/>, and the token's key looked up among the issuer's published keys (fetched when this edge has
    /// none, or refetched for an unknown kid when the rate limit allows): a token whose key was withdrawn is known as such
    /// before any cache is asked, so a cached validation does not outlive the key's publication.
    /// </summary>
    public async ValueTask<FederatedPeek> PeekAsync(string token, CancellationToken cancellationToken)
    {
        if (CompactJws.TryParse(token, options.Value.MaxTokenLength, out var rejection) is not { } jws)
        {
            return new(FederatedValidation.Refused(rejection), null, KeyState.NotLookedUp);
        }

        var peek = Read(jws);
        if (peek.Account is null || issuers.Find(peek.Issuer) is not { } issuer || jws.KeyId is not { Length: > 0 } keyId)
        {
            return new(peek, null, KeyState.NotLookedUp);
        }

        var lookup = await issuer.Keys.FindAsync(keyId, cancellationToken).ConfigureAwait(false);
        var state = lookup.Unavailable ? KeyState.Unknowable : lookup.Key is null ? KeyState.Unpublished : KeyState.Published;
        return new(peek, keyId, state);
    }

    /// <summary>Validates a token fully. Never throws for a bad token or an issuer's outage.</summary>
    public async ValueTask<FederatedValidation> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        var result = await CheckAsync(token, cancellationToken).ConfigureAwait(false);
        if (result.Unavailable)
        {
            Log.Unavailable(logger, result.Issuer ?? "-");
        }
        else if (!result.IsValid)
        {
            metrics.Rejected(result.Reason);
            Log.Refused(logger, result.Reason, result.Issuer ?? "-", result.Account ?? "-");
        }

        return result;
    }

    private FederatedValidation Read(CompactJws jws)
    {
        if (issuers.Find(jws.Issuer) is not { } issuer)
        {
            return FederatedValidation.Refused(TokenRejection.UntrustedIssuer);
        }

        return issuer.Account.Expand(jws.Claims) is { } account
            ? new(TokenRejection.None, false, issuer.Options.Issuer, account, LabelsOf(issuer.Options, jws.Claims), ExpiryOf(jws.Claims))
            : FederatedValidation.Refused(TokenRejection.AccountNotMapped, issuer.Options.Issuer);
    }

    private async ValueTask<FederatedValidation> CheckAsync(string token, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (CompactJws.TryParse(token, settings.MaxTokenLength, out var rejection) is not { } jws)
        {
            return FederatedValidation.Refused(rejection);
        }

        if (issuers.Find(jws.Issuer) is not { } issuer)
        {
            return FederatedValidation.Refused(TokenRejection.UntrustedIssuer);
        }

        var name = issuer.Options.Issuer;
        var claims = jws.Claims;
        if (!HasAudience(claims, issuer.Options.Audience))
        {
            return FederatedValidation.Refused(TokenRejection.WrongAudience, name);
        }

        var now = time.GetUtcNow();
        if (ExpiryOf(claims) is not { } expires || now > expires + settings.ClockSkew)
        {
            return FederatedValidation.Refused(TokenRejection.Expired, name);
        }

        if (Seconds(claims, "nbf") is { } notBefore && now + settings.ClockSkew < notBefore
            || Seconds(claims, "iat") is { } issuedAt && now + settings.ClockSkew < issuedAt)
        {
            return FederatedValidation.Refused(TokenRejection.NotYetValid, name);
        }

        foreach (var (claim, expected) in issuer.Options.RequiredClaims)
        {
            if (ClaimText(claims, claim) is not { } actual || !string.Equals(actual, expected, StringComparison.Ordinal))
            {
                return FederatedValidation.Refused(TokenRejection.RequiredClaimMismatch, name);
            }
        }

        if (issuer.Account.Expand(claims) is not { } account)
        {
            return FederatedValidation.Refused(TokenRejection.AccountNotMapped, name);
        }

        if (jws.KeyId is not { Length: > 0 } keyId)
        {
            return FederatedValidation.Refused(TokenRejection.UnknownKey, name, account);
        }

        var lookup = await issuer.Keys.FindAsync(keyId, cancellationToken).ConfigureAwait(false);
        if (lookup.Unavailable)
        {
            return FederatedValidation.Down(name, account);
        }

        if (lookup.Key is not { } key || key.Algorithm != jws.Algorithm)
        {
            return FederatedValidation.Refused(TokenRejection.UnknownKey, name, account);
        }

        var valid = key.Verify(jws.Algorithm, jws.SigningInput, jws.Signature);
        metrics.SignatureChecked(jws.Algorithm, valid);
        return valid
            ? new(TokenRejection.None, false, name, account, LabelsOf(issuer.Options, claims), expires, ClaimText(claims, "sub"))
            : FederatedValidation.Refused(TokenRejection.BadSignature, name, account);
    }

    private static bool HasAudience(JsonElement claims, string audience)
    {
        if (!claims.TryGetProperty("aud", out var aud))
        {
            return false;
        }

        return aud.ValueKind switch
        {
            JsonValueKind.String => string.Equals(aud.GetString(), audience, StringComparison.Ordinal),
            JsonValueKind.Array => aud.EnumerateArray().Any(a => a.ValueKind == JsonValueKind.String && string.Equals(a.GetString(), audience, StringComparison.Ordinal)),
            _ => false,
        };
    }

    private static DateTimeOffset? ExpiryOf(JsonElement claims) => Seconds(claims, "exp");

    private static DateTimeOffset? Seconds(JsonElement claims, string name)
    {
        if (!claims.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var seconds)
            || seconds is < 0 or > 253402300799)
        {
            return null;
        }

        return DateTimeOffset.FromUnixTimeSeconds((long)Math.Floor(seconds));
    }

    /// <summary>A claim as text for comparisons and labels: a string as is, a boolean as true/false, a number as written.</summary>
    private static string? ClaimText(JsonElement claims, string name) =>
        claims.TryGetProperty(name, out var value) ? Text(value) : null;

    private static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number => value.GetRawText(),
        _ => null,
    };

    private static IReadOnlyDictionary<string, IReadOnlyList<string>> LabelsOf(TrustedIssuerOptions issuer, JsonElement claims)
    {
        if (issuer.Labels.Count == 0)
        {
            return FederatedValidation.NoLabels;
        }

        var labels = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (label, claim) in issuer.Labels)
        {
            if (!claims.TryGetProperty(claim, out var value))
            {
                continue;
            }

            var values = value.ValueKind == JsonValueKind.Array
                ? value.EnumerateArray().Select(Text).OfType<string>().Take(64).ToList()
                : Text(value) is { } single ? [single] : [];
            if (values.Count > 0)
            {
                labels[label] = values;
            }
        }

        return labels;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.FederatedTokenRefused, Level = LogLevel.Debug, Message = "Federated token refused ({Reason}); issuer {Issuer}, account {Account}")]
        public static partial void Refused(ILogger logger, TokenRejection reason, string issuer, string account);

        [LoggerMessage(EventId = EventIds.FederatedTokenUndecidable, Level = LogLevel.Warning, Message = "Federated token of issuer {Issuer} undecidable: its keys cannot be fetched")]
        public static partial void Unavailable(ILogger logger, string issuer);
    }
}
