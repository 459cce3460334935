using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace Gateway.Registry.Tokens;

/// <summary>
/// The key the gateway signs registry tokens with (settings <c>Gateway:Token:SigningKey</c> and
/// <c>Gateway:Token:Certificate</c>): an EC key on P-256, P-384 or P-521 (ES256, ES384, ES512) or an RSA key of at
/// least 2048 bits (RS256), and optionally its certificate chain, whose first certificate must hold the same public
/// key. The registry's <c>rootcertbundle</c> must contain that certificate (or, for the <c>x5c</c> path, its CA).
/// </summary>
/// <remarks>
/// Sign and verify may be called concurrently: the platform implementations (OpenSSL, CNG, Apple) create their
/// per-operation state on each call. Disposing the key while it is in use is not supported.
/// </remarks>
public sealed class TokenSigningKey : IDisposable
{
    private readonly AsymmetricAlgorithm _key;
    private readonly X509Certificate2[] _chain;
    private readonly HashAlgorithmName _hash;
    private readonly int _ecSignatureLength;

    private TokenSigningKey(AsymmetricAlgorithm key, string algorithm, X509Certificate2[] chain)
    {
        _key = key;
        _chain = chain;
        Algorithm = algorithm;
        _hash = algorithm switch
        {
            JwtAlgorithms.ES384 => HashAlgorithmName.SHA384,
            JwtAlgorithms.ES512 => HashAlgorithmName.SHA512,
            _ => HashAlgorithmName.SHA256,
        };
        _ecSignatureLength = key is ECDsa ec ? ec.GetMaxSignatureSize(DSASignatureFormat.IeeeP1363FixedFieldConcatenation) : 0;
        LibtrustKeyId = KeyIdentifiers.LibtrustKeyId(key);
        JwkThumbprint = KeyIdentifiers.JwkThumbprint(key);
    }

    /// <summary>The JWS algorithm: <c>ES256</c>, <c>ES384</c>, <c>ES512</c> (by curve) or <c>RS256</c>.</summary>
    public string Algorithm { get; }

    /// <summary>
    /// The libtrust key ID (registry 2.8's <c>kid</c>): SHA-256 over the DER <c>SubjectPublicKeyInfo</c>, the first
    /// 30 bytes, base32 without padding, 12 groups of 4 joined by <c>:</c>.
    /// </summary>
    public string LibtrustKeyId { get; }

    /// <summary>The RFC 7638 JWK thumbprint, base64url SHA-256 of the canonical public JWK (registry 3's <c>kid</c>).</summary>
    public string JwkThumbprint { get; }

    /// <summary>The certificate holding this key (the chain's first), or null when none was given.</summary>
    public X509Certificate2? Certificate => _chain.Length > 0 ? _chain[0] : null;

    /// <summary>The length in bytes of a signature: the raw <c>r‖s</c> for EC, the modulus length for RSA.</summary>
    internal int SignatureLength => _key is ECDsa ? _ecSignatureLength : (_key.KeySize + 7) / 8;

    /// <summary>
    /// Loads the PEM private key at <paramref name="keyPath"/> (PKCS#8, SEC 1 <c>EC PRIVATE KEY</c> or PKCS#1
    /// <c>RSA PRIVATE KEY</c>, unencrypted) and, when <paramref name="certificatePath"/> is given, the PEM
    /// certificate chain there (leaf first).
    /// </summary>
    /// <returns>The key, or an error naming the file and the problem: unreadable file, no or several keys, an encrypted
    /// key, an unsupported algorithm or curve, RSA under 2048 bits, or a certificate for another key.</returns>
    public static TokenSigningKeyLoadResult Load(string keyPath, string? certificatePath)
    {
        ArgumentNullException.ThrowIfNull(keyPath);
        if (!TryRead(keyPath, out var keyPem, out var error))
        {
            return TokenSigningKeyLoadResult.Fail(error);
        }

        string? certificatePem = null;
        if (!string.IsNullOrEmpty(certificatePath) && !TryRead(certificatePath, out certificatePem, out error))
        {
            return TokenSigningKeyLoadResult.Fail(error);
        }

        return FromPem(keyPem, certificatePem, keyPath, certificatePath);
    }

    /// <summary>As <see cref="Load"/>, from PEM text; the sources name the texts in error messages.</summary>
    public static TokenSigningKeyLoadResult FromPem(string keyPem, string? certificatePem, string keySource, string? certificateSource)
    {
        ArgumentNullException.ThrowIfNull(keyPem);
        ArgumentNullException.ThrowIfNull(keySource);
        var key = PemKeyReader.ReadPrivateKey(keyPem, keySource, out var error);
        if (key is null)
        {
            return TokenSigningKeyLoadResult.Fail(error!);
        }

        List<X509Certificate2>? chain = null;
        if (certificatePem is not null)
        {
            chain = PemKeyReader.ReadCertificates(certificatePem, certificateSource ?? "certificate", out error);
            if (chain is null)
            {
                key.Dispose();
                return TokenSigningKeyLoadResult.Fail(error!);
            }
        }

        var result = Create(key, chain ?? [], keySource, certificateSource ?? "certificate");
        if (!result.IsValid)
        {
            key.Dispose();
            chain?.ForEach(c => c.Dispose());
        }

        return result;
    }

    /// <summary>
    /// A signing key from a key object and an optional chain (copied), with the same checks as <see cref="Load"/>.
    /// Takes ownership of <paramref name="privateKey"/>: it is disposed with the result, or at once on failure.
    /// </summary>
    public static TokenSigningKeyLoadResult FromKey(AsymmetricAlgorithm privateKey, IReadOnlyList<X509Certificate2>? certificateChain = null)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        var copies = (certificateChain ?? []).Select(c => X509CertificateLoader.LoadCertificate(c.RawData)).ToList();
        var result = Create(privateKey, copies, "signing key", "certificate");
        if (!result.IsValid)
        {
            privateKey.Dispose();
            copies.ForEach(c => c.Dispose());
        }

        return result;
    }

    /// <summary>The <c>kid</c> of this key in the given format.</summary>
    public string KeyId(KeyIdFormat format) => format switch
    {
        KeyIdFormat.Libtrust => LibtrustKeyId,
        KeyIdFormat.Thumbprint => JwkThumbprint,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown key id format."),
    };

    /// <summary>True when <paramref name="keyId"/> names this key in either format (ordinal).</summary>
    public bool HasKeyId(string? keyId) =>
        string.Equals(keyId, LibtrustKeyId, StringComparison.Ordinal) || string.Equals(keyId, JwkThumbprint, StringComparison.Ordinal);

    /// <summary>Signs <paramref name="data"/>: raw <c>r‖s</c> for EC, PKCS#1 v1.5 for RSA.</summary>
    internal byte[] Sign(ReadOnlySpan<byte> data) => _key switch
    {
        ECDsa ec => ec.SignData(data, _hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
        RSA rsa => rsa.SignData(data, _hash, RSASignaturePadding.Pkcs1),
        _ => throw new InvalidOperationException("Unsupported key type."),
    };

    /// <summary>
    /// Verifies a signature made by <see cref="Sign"/>. An EC signature must be exactly the raw <c>r‖s</c> length
    /// (a DER-encoded one is refused, as registry 2.8 refuses it).
    /// </summary>
    internal bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) => _key switch
    {
        ECDsa ec => signature.Length == _ecSignatureLength
            && ec.VerifyData(data, signature, _hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
        RSA rsa => signature.Length == SignatureLength && rsa.VerifyData(data, signature, _hash, RSASignaturePadding.Pkcs1),
        _ => false,
    };

    /// <summary>Releases the key and the certificates.</summary>
    public void Dispose()
    {
        _key.Dispose();
        foreach (var certificate in _chain)
        {
            certificate.Dispose();
        }
    }

    /// <summary>Never prints key material.</summary>
    public override string ToString() => $"{Algorithm} key {LibtrustKeyId}";

    private static TokenSigningKeyLoadResult Create(AsymmetricAlgorithm key, List<X509Certificate2> chain, string keySource, string certificateSource)
    {
        switch (key)
        {
            case ECDsa ec when KeyIdentifiers.CurveName(ec) is null:
            {
                var curve = ec.ExportParameters(false).Curve;
                var name = curve.IsNamed ? curve.Oid.FriendlyName ?? curve.Oid.Value : "an explicit curve";
                return TokenSigningKeyLoadResult.Fail($"{keySource}: an EC key on {name}; registry 2.8 accepts P-256, P-384 and P-521.");
            }

            case ECDsa:
                break;
            case RSA rsa when rsa.KeySize < 2048:
                return TokenSigningKeyLoadResult.Fail($"{keySource}: an RSA key of {rsa.KeySize} bits; at least 2048 are required.");
            case RSA:
                break;
            default:
                return TokenSigningKeyLoadResult.Fail($"{keySource}: a {key.GetType().Name} key; only EC (P-256, P-384, P-521) and RSA keys are supported.");
        }

        var algorithm = KeyIdentifiers.TryGetAlgorithm(key)!;
        if (chain.Count > 0 && !SamePublicKey(key, chain[0]))
        {
            var match = chain.FindIndex(c => SamePublicKey(key, c));
            return TokenSigningKeyLoadResult.Fail(match > 0
                ? $"{certificateSource}: certificate {match + 1} holds the public key of {keySource}; put it first (leaf first, then its issuers)."
                : $"{certificateSource}: the certificate's public key does not match the private key in {keySource}.");
        }

        var signingKey = new TokenSigningKey(key, algorithm, [.. chain]);
        if (!SelfTest(signingKey))
        {
            // Not disposed here: on failure the caller still owns the key and the certificates.
            return TokenSigningKeyLoadResult.Fail($"{keySource}: the key holds no usable private key (a signature made with it does not verify).");
        }

        return new TokenSigningKeyLoadResult(signingKey, null);
    }

    private static bool SelfTest(TokenSigningKey key)
    {
        ReadOnlySpan<byte> probe = "registry-gateway/signing-key-probe"u8;
        try
        {
            return key.Verify(probe, key.Sign(probe));
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static bool SamePublicKey(AsymmetricAlgorithm key, X509Certificate2 certificate)
    {
        switch (key)
        {
            case ECDsa ec:
            {
                using var other = certificate.GetECDsaPublicKey();
                if (other is null || KeyIdentifiers.CurveName(other) != KeyIdentifiers.CurveName(ec))
                {
                    return false;
                }

                var mine = ec.ExportParameters(false).Q;
                var theirs = other.ExportParameters(false).Q;
                return mine.X.AsSpan().SequenceEqual(theirs.X) && mine.Y.AsSpan().SequenceEqual(theirs.Y);
            }

            case RSA rsa:
            {
                using var other = certificate.GetRSAPublicKey();
                if (other is null)
                {
                    return false;
                }

                var mine = rsa.ExportParameters(false);
                var theirs = other.ExportParameters(false);
                return mine.Modulus.AsSpan().SequenceEqual(theirs.Modulus) && mine.Exponent.AsSpan().SequenceEqual(theirs.Exponent);
            }

            default:
                return false;
        }
    }

    private static bool TryRead(string path, out string text, out string error)
    {
        text = string.Empty;
        error = string.Empty;
        try
        {
            text = File.ReadAllText(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            error = ex switch
            {
                FileNotFoundException or DirectoryNotFoundException => $"{path}: file not found.",
                UnauthorizedAccessException => $"{path}: permission denied.",
                _ => $"{path}: cannot be read: {ex.Message}",
            };
            return false;
        }
    }
}
