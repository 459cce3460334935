namespace Gateway.Registry.Tokens;

/// <summary>
/// How the issuer writes the JWT header's <c>kid</c> (setting <c>Gateway:Token:KeyIdFormat</c>). Both name the same
/// key; which one a registry accepts depends on its version.
/// </summary>
public enum KeyIdFormat
{
    /// <summary>
    /// The libtrust fingerprint (<see cref="TokenSigningKey.LibtrustKeyId"/>), the only form registry 2.8 accepts: it
    /// looks the <c>kid</c> up among the public keys of the certificates in its <c>rootcertbundle</c>. The default.
    /// </summary>
    Libtrust,

    /// <summary>
    /// The RFC 7638 JWK thumbprint (<see cref="TokenSigningKey.JwkThumbprint"/>), which registry 3 computes for every
    /// <c>rootcertbundle</c> certificate. Registry 3 also accepts a JWKS file (its <c>auth.token.jwks</c> setting),
    /// whose keys it looks up by their <c>kid</c> member: serve it the key's public JWK
    /// (<see cref="KeyIdentifiers.PublicJwk"/> with the thumbprint as <c>kid</c>) as <c>{"keys":[…]}</c>. Registry 2.8 refuses this form.
    /// </summary>
    Thumbprint,
}
