namespace Gateway.Edge.Access.Identify.Federation;

/// <summary>Why a federated token was refused (logged at Debug and counted; never its content).</summary>
public enum TokenRejection
{
    /// <summary>Not refused.</summary>
    None,

    /// <summary>Not a compact JWS with JSON header and claims (or a member given twice).</summary>
    Malformed,

    /// <summary>Longer than <see cref="FederationOptions.MaxTokenLength"/>.</summary>
    TooLong,

    /// <summary>An algorithm other than RS256 or ES256 (<c>none</c> and HMAC included).</summary>
    UnsupportedAlgorithm,

    /// <summary>The header carries or points at a key (<c>jwk</c>, <c>jku</c>, <c>x5c</c>, <c>x5u</c>) or has <c>crit</c>.</summary>
    ForbiddenHeader,

    /// <summary>The <c>iss</c> is not a trusted issuer.</summary>
    UntrustedIssuer,

    /// <summary>No published key of the issuer has the token's <c>kid</c> (or it does not fit the algorithm).</summary>
    UnknownKey,

    /// <summary>The signature does not verify.</summary>
    BadSignature,

    /// <summary>The <c>aud</c> does not name the issuer's configured audience.</summary>
    WrongAudience,

    /// <summary>Past <c>exp</c> (plus the leeway), or no <c>exp</c>.</summary>
    Expired,

    /// <summary>Before <c>nbf</c> or <c>iat</c> (less the leeway).</summary>
    NotYetValid,

    /// <summary>A required claim is missing or has another value.</summary>
    RequiredClaimMismatch,

    /// <summary>The account template cannot be filled from the claims, or gives an invalid account name.</summary>
    AccountNotMapped,
}
