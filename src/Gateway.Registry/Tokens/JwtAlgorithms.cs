namespace Gateway.Registry.Tokens;

/// <summary>
/// The JWS <c>alg</c> values the gateway signs with: those registry 2.8 verifies for its key types (libtrust accepts
/// exactly one ECDSA algorithm per curve, and PKCS#1 v1.5 for RSA). Never <c>none</c>, <c>HS*</c>, <c>PS*</c> or
/// <c>EdDSA</c>.
/// </summary>
public static class JwtAlgorithms
{
    /// <summary>ECDSA on P-256 with SHA-256; the signature is the 64-byte raw <c>r‖s</c>.</summary>
    public const string ES256 = "ES256";

    /// <summary>ECDSA on P-384 with SHA-384; the signature is the 96-byte raw <c>r‖s</c>.</summary>
    public const string ES384 = "ES384";

    /// <summary>ECDSA on P-521 with SHA-512; the signature is the 132-byte raw <c>r‖s</c>.</summary>
    public const string ES512 = "ES512";

    /// <summary>RSASSA-PKCS1-v1_5 with SHA-256.</summary>
    public const string RS256 = "RS256";
}
