namespace Gateway.Contracts;

/// <summary>Why a grain refused a request: 429 for locks and limits, 401 for a revoked token.</summary>
[GenerateSerializer, Alias("gw.DenialReason")]
public enum DenialReason
{
    /// <summary>Not refused.</summary>
    None = 0,

    /// <summary>This user is locked for this client address (too many failures from it).</summary>
    PairLocked = 1,

    /// <summary>This user is locked everywhere but at addresses it authenticated from before the failures.</summary>
    UserLocked = 2,

    /// <summary>This client address is blocked for every user (password spraying).</summary>
    AddressBlocked = 3,

    /// <summary>The user's request rate limit is reached.</summary>
    RequestLimit = 4,

    /// <summary>The user's pull rate limit is reached.</summary>
    PullLimit = 5,

    /// <summary>The presented token was issued before its user's (or machine account's) tokens were revoked.</summary>
    TokenRevoked = 6,

    /// <summary>
    /// The same credential failed verification from the same client address within the lockout window: refused again
    /// (401) without a password check and not counted.
    /// </summary>
    RepeatedFailure = 7,
}
