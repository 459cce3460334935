namespace Gateway.Contracts;

/// <summary>A user grain's answer for one credential.</summary>
[GenerateSerializer, Alias("gw.CredentialOutcome")]
public enum CredentialOutcome
{
    /// <summary>The credential was verified within the cache lifetime (by this request's peers or earlier).</summary>
    Allowed = 0,

    /// <summary>Unknown to the cache: the caller verifies it (bcrypt) and reports with the ticket.</summary>
    VerifyRequired = 1,

    /// <summary>A concurrent verification of the same credential failed.</summary>
    Denied = 2,

    /// <summary>A lockout or an address block: refused before any password check (429).</summary>
    Locked = 3,

    /// <summary>Authenticated, but a rate limit is reached (429).</summary>
    RateLimited = 4,

    /// <summary>The identity source was unavailable and the credential was not verified within its grace: 503.</summary>
    Unavailable = 5,
}
