namespace Gateway.Registry.Tokens;

/// <summary>The outcome of <see cref="RegistryTokenValidator.Validate"/>, in the order the checks run.</summary>
public enum TokenValidationStatus
{
    /// <summary>Signed by our key, for our issuer and service, and within its validity (60 s leeway).</summary>
    Valid,

    /// <summary>
    /// Not a token registry 2.8 could read: not three base64url parts, header or claims not JSON objects, a claim of
    /// the wrong type (an <c>aud</c> array, a non-integer time), a duplicated member, a <c>crit</c> header, no
    /// <c>iss</c>/<c>aud</c>/<c>exp</c>, or over 64 KiB.
    /// </summary>
    Malformed,

    /// <summary><c>alg</c> is not our key's algorithm: <c>none</c>, <c>HS*</c>, <c>PS*</c>, or another curve's.</summary>
    AlgorithmNotAllowed,

    /// <summary><c>kid</c> is missing or names another key (neither our libtrust ID nor our thumbprint).</summary>
    UnknownKey,

    /// <summary>The signature does not verify (tampered header, claims or signature; a DER ECDSA signature).</summary>
    BadSignature,

    /// <summary><c>iss</c> is not our issuer.</summary>
    WrongIssuer,

    /// <summary><c>aud</c> is not our service.</summary>
    WrongAudience,

    /// <summary>More than 60 seconds past <c>exp</c>.</summary>
    Expired,

    /// <summary>More than 60 seconds before <c>nbf</c>.</summary>
    NotYetValid,
}
