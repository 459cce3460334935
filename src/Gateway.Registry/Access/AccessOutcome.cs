namespace Gateway.Registry.Access;

/// <summary>
/// How the gate (or the token endpoint) answered one request: the value behind the audit event's <c>outcome</c>, the
/// <c>gateway_auth_decisions_total{outcome}</c> metric and the span's <c>gateway.auth.outcome</c>. Its text, which
/// dashboards, alerts and log queries use, is <see cref="AccessOutcomes.Label"/>.
/// </summary>
public enum AccessOutcome
{
    /// <summary>Forwarded to the registry.</summary>
    Allowed,

    /// <summary>A Docker client of 1.5 or older (the recipe's rule): 404 <c>UNSUPPORTED</c>.</summary>
    LegacyClient,

    /// <summary>The request cannot be read as the registry would read it: 400 or 404.</summary>
    BadRequest,

    /// <summary>A manifest reference that names nothing (answered 404 <c>MANIFEST_UNKNOWN</c> as the registry does).</summary>
    NotFound,

    /// <summary>No credentials: the challenge.</summary>
    Unauthenticated,

    /// <summary>An <c>Authorization</c> header that cannot be read: the challenge.</summary>
    MalformedCredentials,

    /// <summary>Unknown user or wrong password (indistinguishable by design).</summary>
    InvalidCredentials,

    /// <summary>A Bearer token that is not valid (signature, expiry, audience, credential binding).</summary>
    InvalidToken,

    /// <summary>A Bearer token revoked since it was issued.</summary>
    RevokedToken,

    /// <summary>A Bearer token that does not grant the request.</summary>
    InsufficientScope,

    /// <summary>The ACL (or a machine account's scopes) does not grant the request: 403 <c>DENIED</c>.</summary>
    Denied,

    /// <summary>A lockout or an address block.</summary>
    Locked,

    /// <summary>A rate limit: 429.</summary>
    RateLimited,

    /// <summary>The cluster (or an identity source) could not decide: 503, never let through.</summary>
    Unavailable,

    /// <summary>The token endpoint issued a token.</summary>
    TokenIssued,

    /// <summary>A refresh token that is invalid or expired.</summary>
    InvalidRefreshToken,

    /// <summary>A refresh token revoked since it was issued.</summary>
    RevokedRefreshToken,
}
