namespace Gateway.Edge.Authentication;

/// <summary>How authenticating one request ended.</summary>
public enum AuthenticationStatus
{
    /// <summary>The credential is valid and no limit refuses the request.</summary>
    Authenticated,

    /// <summary>Unknown user or wrong password; the two are indistinguishable by design.</summary>
    InvalidCredentials,

    /// <summary>A lockout or an address block refused the request before any password check (429).</summary>
    Locked,

    /// <summary>The credential is valid but a rate limit is reached (429).</summary>
    RateLimited,

    /// <summary>The presented token was revoked (its user's tokens, or its machine account): 401, log in again.</summary>
    Revoked,

    /// <summary>The cluster could not decide (a silo gone, a timeout): answer 503, never let it through.</summary>
    Unavailable,
}
