using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Gateway.Registry.Tokens;

/// <summary>
/// The names a registry gives a public key: the libtrust fingerprint (registry 2.8) and the RFC 7638 JWK thumbprint
/// (registry 3), and the public JWK itself. Usable on any EC (P-256, P-384, P-521) or RSA public key, e.g. to check
/// which <c>kid</c> a certificate in a <c>rootcertbundle</c> stands for.
/// </summary>
public static class KeyIdentifiers
{
    private const string Base32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    /// <summary>
    /// The libtrust key ID of a DER <c>SubjectPublicKeyInfo</c>: SHA-256, the first 30 bytes (240 bits), RFC 4648
    /// base32 without padding (48 characters), in 12 groups of 4 joined by <c>:</c>
    /// (<c>libtrust/util.go</c>, <c>keyIDFromCryptoKey</c>).
    /// </summary>
    public static string LibtrustKeyId(ReadOnlySpan<byte> subjectPublicKeyInfo)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(subjectPublicKeyInfo, hash);
        var truncated = hash[..30];

        // 240 bits = 48 base32 characters exactly, so no padding and no partial group.
        var builder = new StringBuilder(59);
        var buffer = 0;
        var bits = 0;
        var written = 0;
        foreach (var b in truncated)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                if (written > 0 && written % 4 == 0)
                {
                    builder.Append(':');
                }

                builder.Append(Base32Alphabet[(buffer >> bits) & 0x1F]);
                written++;
            }
        }

        return builder.ToString();
    }

    /// <summary>The libtrust key ID of a public key (see <see cref="LibtrustKeyId(ReadOnlySpan{byte})"/>).</summary>
    public static string LibtrustKeyId(AsymmetricAlgorithm publicKey)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        return LibtrustKeyId(publicKey.ExportSubjectPublicKeyInfo());
    }

    /// <summary>
    /// The RFC 7638 thumbprint of a public key: base64url (no padding) of the SHA-256 of the canonical JWK, the
    /// required members only, in lexicographic order and without whitespace: <c>{"crv","kty","x","y"}</c> for EC,
    /// <c>{"e","kty","n"}</c> for RSA.
    /// </summary>
    /// <exception cref="ArgumentException">The key is neither EC on P-256/P-384/P-521 nor RSA.</exception>
    public static string JwkThumbprint(AsymmetricAlgorithm publicKey)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        string canonical;
        switch (publicKey)
        {
            case ECDsa ec:
            {
                var (crv, x, y) = EcMembers(ec);
                canonical = $$"""{"crv":"{{crv}}","kty":"EC","x":"{{x}}","y":"{{y}}"}""";
                break;
            }

            case RSA rsa:
            {
                var (n, e) = RsaMembers(rsa);
                canonical = $$"""{"e":"{{e}}","kty":"RSA","n":"{{n}}"}""";
                break;
            }

            default:
                throw new ArgumentException($"Unsupported key type {publicKey.GetType().Name}.", nameof(publicKey));
        }

        return JwtEncoding.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    /// <summary>
    /// The public JWK of a key (RFC 7517): <c>kty</c>, <c>crv</c>/<c>x</c>/<c>y</c> or <c>n</c>/<c>e</c>,
    /// <c>use</c> = <c>sig</c>, <c>alg</c>, and <c>kid</c> when given. A new object on every call.
    /// </summary>
    /// <exception cref="ArgumentException">The key is neither EC on P-256/P-384/P-521 nor RSA.</exception>
    public static JsonObject PublicJwk(AsymmetricAlgorithm publicKey, string? keyId)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        JsonObject jwk;
        switch (publicKey)
        {
            case ECDsa ec:
            {
                var (crv, x, y) = EcMembers(ec);
                jwk = new JsonObject
                {
                    ["kty"] = "EC",
                    ["crv"] = crv,
                    ["x"] = x,
                    ["y"] = y,
                };
                break;
            }

            case RSA rsa:
            {
                var (n, e) = RsaMembers(rsa);
                jwk = new JsonObject
                {
                    ["kty"] = "RSA",
                    ["n"] = n,
                    ["e"] = e,
                };
                break;
            }

            default:
                throw new ArgumentException($"Unsupported key type {publicKey.GetType().Name}.", nameof(publicKey));
        }

        jwk["use"] = "sig";
        jwk["alg"] = AlgorithmFor(publicKey);
        if (keyId is not null)
        {
            jwk["kid"] = keyId;
        }

        return jwk;
    }

    /// <summary>The JWS algorithm for a supported key; null for anything else.</summary>
    internal static string? TryGetAlgorithm(AsymmetricAlgorithm key) => key switch
    {
        ECDsa ec => CurveName(ec) switch
        {
            "P-256" => JwtAlgorithms.ES256,
            "P-384" => JwtAlgorithms.ES384,
            "P-521" => JwtAlgorithms.ES512,
            _ => null,
        },
        RSA => JwtAlgorithms.RS256,
        _ => null,
    };

    /// <summary>The JWK curve name of a named NIST curve (P-256, P-384, P-521); null for any other curve.</summary>
    internal static string? CurveName(ECDsa ec)
    {
        var curve = ec.ExportParameters(false).Curve;
        if (!curve.IsNamed)
        {
            return null;
        }

        return curve.Oid.Value switch
        {
            "1.2.840.10045.3.1.7" => "P-256",
            "1.3.132.0.34" => "P-384",
            "1.3.132.0.35" => "P-521",
            _ => curve.Oid.FriendlyName switch
            {
                "nistP256" or "ECDSA_P256" => "P-256",
                "nistP384" or "ECDSA_P384" => "P-384",
                "nistP521" or "ECDSA_P521" => "P-521",
                _ => null,
            },
        };
    }

    private static string AlgorithmFor(AsymmetricAlgorithm key) =>
        TryGetAlgorithm(key) ?? throw new ArgumentException("Only EC keys on P-256, P-384 or P-521 and RSA keys are supported.", nameof(key));

    private static (string Crv, string X, string Y) EcMembers(ECDsa ec)
    {
        var crv = CurveName(ec) ?? throw new ArgumentException("Only the curves P-256, P-384 and P-521 are supported.", nameof(ec));
        var parameters = ec.ExportParameters(false);

        // Coordinates are the full field length (RFC 7518 §6.2.1.2); ExportParameters already pads them.
        return (crv, JwtEncoding.Encode(parameters.Q.X), JwtEncoding.Encode(parameters.Q.Y));
    }

    private static (string N, string E) RsaMembers(RSA rsa)
    {
        var parameters = rsa.ExportParameters(false);

        // Unsigned big-endian without leading zero octets (RFC 7518 §6.3.1).
        return (JwtEncoding.Encode(TrimLeadingZeros(parameters.Modulus)), JwtEncoding.Encode(TrimLeadingZeros(parameters.Exponent)));
    }

    private static ReadOnlySpan<byte> TrimLeadingZeros(byte[]? value)
    {
        var span = value.AsSpan();
        var i = 0;
        while (i < span.Length - 1 && span[i] == 0)
        {
            i++;
        }

        return span[i..];
    }
}
