using System.Security.Cryptography;

namespace Gateway.Edge.Access.Identify.Federation;

/// <summary>
/// One public key of an issuer, bound to the one algorithm it may verify: an RSA key (at least 2048 bits) only
/// RS256, an EC P-256 key only ES256. Immutable once made; verification is thread-safe.
/// </summary>
public sealed class SigningKey : IDisposable
{
    private readonly RSA? _rsa;
    private readonly ECDsa? _ecdsa;

    private SigningKey(string keyId, string algorithm, RSA? rsa, ECDsa? ecdsa)
    {
        KeyId = keyId;
        Algorithm = algorithm;
        _rsa = rsa;
        _ecdsa = ecdsa;
    }

    /// <summary>The key's <c>kid</c>.</summary>
    public string KeyId { get; }

    /// <summary><c>RS256</c> or <c>ES256</c>.</summary>
    public string Algorithm { get; }

    /// <summary>An RS256 key from its modulus and exponent; null when it is shorter than 2048 bits.</summary>
    public static SigningKey? Rsa(string keyId, byte[] modulus, byte[] exponent)
    {
        var significant = modulus.AsSpan().TrimStart((byte)0);
        if (significant.Length * 8 < 2048 || exponent.Length is 0 or > 8)
        {
            return null;
        }

        return new SigningKey(keyId, "RS256", RSA.Create(new RSAParameters { Modulus = significant.ToArray(), Exponent = exponent }), null);
    }

    /// <summary>An ES256 key from its P-256 point; null when the point is not on the curve.</summary>
    public static SigningKey? EcP256(string keyId, byte[] x, byte[] y)
    {
        if (x.Length != 32 || y.Length != 32)
        {
            return null;
        }

        try
        {
            var ecdsa = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = x, Y = y } });
            return new SigningKey(keyId, "ES256", null, ecdsa);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>Checks a signature over <paramref name="signingInput"/> made with <paramref name="algorithm"/>.</summary>
    public bool Verify(string algorithm, ReadOnlySpan<byte> signingInput, ReadOnlySpan<byte> signature)
    {
        if (!string.Equals(algorithm, Algorithm, StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            return _rsa is not null
                ? _rsa.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
                : signature.Length == 64 && _ecdsa!.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _rsa?.Dispose();
        _ecdsa?.Dispose();
    }
}
