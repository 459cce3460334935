namespace Gateway.Registry.Tokens;

/// <summary>The outcome of <see cref="RefreshTokenCodec.Validate"/>, in the order the checks run.</summary>
public enum RefreshTokenStatus
{
    /// <summary>Genuine, for this service and user generation, and not expired. The caller still asks the subject's grain (revocation by issue time, locks, limits).</summary>
    Valid,

    /// <summary>Not a refresh token of this format: wrong prefix, bad base64url, wrong length or layout.</summary>
    Malformed,

    /// <summary>
    /// The MAC does not verify: the token was altered, made under another cluster secret, or the user's entry has
    /// changed (new password, removed user) since it was issued. The cases are not told
    /// apart, so a holder learns nothing about the user.
    /// </summary>
    Invalid,

    /// <summary>Genuine but issued to another user than the caller expected.</summary>
    WrongUser,

    /// <summary>Genuine but for another service.</summary>
    WrongService,

    /// <summary>Genuine but past its expiry.</summary>
    Expired,
}
