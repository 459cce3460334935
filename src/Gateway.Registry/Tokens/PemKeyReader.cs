using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Registry.Tokens;

/// <summary>Reads the private key and certificates of PEM text, with messages that name the source and the fix.</summary>
internal static class PemKeyReader
{
    private const string EcPublicKeyOid = "1.2.840.10045.2.1";
    private const string RsaEncryptionOid = "1.2.840.113549.1.1.1";
    private const string RsaPssOid = "1.2.840.113549.1.1.10";
    private const string Ed25519Oid = "1.3.101.112";
    private const string Ed448Oid = "1.3.101.113";

    /// <summary>Reads the one private key in <paramref name="pem"/>; <paramref name="error"/> says why not.</summary>
    public static AsymmetricAlgorithm? ReadPrivateKey(ReadOnlySpan<char> pem, string source, out string? error)
    {
        error = null;
        AsymmetricAlgorithm? key = null;
        string? otherLabel = null;
        var rest = pem;
        while (PemEncoding.TryFind(rest, out var fields))
        {
            var label = rest[fields.Label].ToString();
            var data = rest[fields.Base64Data];
            rest = rest[fields.Location.End..];
            switch (label)
            {
                case "PRIVATE KEY":
                case "EC PRIVATE KEY":
                case "RSA PRIVATE KEY":
                    if (key is not null)
                    {
                        key.Dispose();
                        error = $"{source}: holds more than one private key; keep only the token signing key.";
                        return null;
                    }

                    key = Import(label, Decode(data, fields.DecodedDataLength), source, out error);
                    if (key is null)
                    {
                        return null;
                    }

                    break;
                case "ENCRYPTED PRIVATE KEY":
                    key?.Dispose();
                    error = $"{source}: the private key is encrypted; store it unencrypted with restricted file permissions (openssl pkey -in <file> -out <file>).";
                    return null;
                default:
                    otherLabel ??= label;
                    break;
            }
        }

        if (key is not null)
        {
            return key;
        }

        error = pem.Contains("Proc-Type: 4,ENCRYPTED", StringComparison.Ordinal)
            ? $"{source}: the private key is encrypted; store it unencrypted with restricted file permissions (openssl pkey -in <file> -out <file>)."
            : otherLabel is null
                ? $"{source}: no PEM private key found (expected a PEM block labelled PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY)."
                : $"{source}: holds no private key, only a {otherLabel}.";
        return null;
    }

    /// <summary>Reads every certificate in <paramref name="pem"/>, in file order; <paramref name="error"/> says why not.</summary>
    public static List<X509Certificate2>? ReadCertificates(ReadOnlySpan<char> pem, string source, out string? error)
    {
        error = null;
        var certificates = new List<X509Certificate2>();
        var rest = pem;
        while (PemEncoding.TryFind(rest, out var fields))
        {
            var label = rest[fields.Label];
            var data = rest[fields.Base64Data];
            rest = rest[fields.Location.End..];
            if (label is not "CERTIFICATE")
            {
                continue;
            }

            try
            {
                certificates.Add(X509CertificateLoader.LoadCertificate(Decode(data, fields.DecodedDataLength)));
            }
            catch (CryptographicException ex)
            {
                certificates.ForEach(c => c.Dispose());
                error = $"{source}: certificate {certificates.Count + 1} cannot be read: {ex.Message}";
                return null;
            }
        }

        if (certificates.Count == 0)
        {
            error = $"{source}: no PEM certificate found (expected -----BEGIN CERTIFICATE-----).";
            return null;
        }

        return certificates;
    }

    private static byte[] Decode(ReadOnlySpan<char> base64, int length)
    {
        var bytes = new byte[length];
        Convert.TryFromBase64Chars(base64, bytes, out var written);
        return written == length ? bytes : bytes[..written];
    }

    private static AsymmetricAlgorithm? Import(string label, byte[] der, string source, out string? error)
    {
        error = null;
        try
        {
            switch (label)
            {
                case "EC PRIVATE KEY":
                {
                    var ec = ECDsa.Create();
                    ec.ImportECPrivateKey(der, out _);
                    return ec;
                }

                case "RSA PRIVATE KEY":
                {
                    var rsa = RSA.Create();
                    rsa.ImportRSAPrivateKey(der, out _);
                    return rsa;
                }
            }

            var oid = ReadPkcs8AlgorithmOid(der);
            switch (oid)
            {
                case EcPublicKeyOid:
                {
                    var ec = ECDsa.Create();
                    ec.ImportPkcs8PrivateKey(der, out _);
                    return ec;
                }

                case RsaEncryptionOid:
                {
                    var rsa = RSA.Create();
                    rsa.ImportPkcs8PrivateKey(der, out _);
                    return rsa;
                }

                case RsaPssOid:
                    error = $"{source}: an RSA-PSS key; registry 2.8 verifies RS256 (PKCS#1 v1.5) only: use a plain RSA or an EC key.";
                    return null;
                case Ed25519Oid or Ed448Oid:
                    error = $"{source}: an EdDSA key; registry 2.8 accepts EC (P-256, P-384, P-521) and RSA keys only.";
                    return null;
                case null:
                    error = $"{source}: the private key is not valid PKCS#8.";
                    return null;
                default:
                    error = $"{source}: a private key of algorithm {oid}; only EC (P-256, P-384, P-521) and RSA keys are supported.";
                    return null;
            }
        }
        catch (CryptographicException ex)
        {
            error = $"{source}: the private key cannot be read: {ex.Message}";
            return null;
        }
    }

    private static string? ReadPkcs8AlgorithmOid(byte[] der)
    {
        try
        {
            var reader = new AsnReader(der, AsnEncodingRules.BER);
            var info = reader.ReadSequence();
            info.ReadInteger();
            var algorithm = info.ReadSequence();
            return algorithm.ReadObjectIdentifier();
        }
        catch (AsnContentException)
        {
            return null;
        }
    }
}
