using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Registry.Tokens;

namespace Gateway.Registry.Tests.Tokens;

/// <summary>Keys and self-signed certificates made at run time (never committed), as PEM, shared by the token tests.</summary>
internal static class TestKeys
{
    private static readonly Lazy<KeyMaterial> LazyP256 = new(() => CreateEc(ECCurve.NamedCurves.nistP256, HashAlgorithmName.SHA256));
    private static readonly Lazy<KeyMaterial> LazyP384 = new(() => CreateEc(ECCurve.NamedCurves.nistP384, HashAlgorithmName.SHA384));
    private static readonly Lazy<KeyMaterial> LazyP521 = new(() => CreateEc(ECCurve.NamedCurves.nistP521, HashAlgorithmName.SHA512));
    private static readonly Lazy<KeyMaterial> LazyRsa = new(() => CreateRsa(2048));
    private static readonly Lazy<KeyMaterial> LazyOtherP256 = new(() => CreateEc(ECCurve.NamedCurves.nistP256, HashAlgorithmName.SHA256));

    public static KeyMaterial P256 => LazyP256.Value;

    public static KeyMaterial P384 => LazyP384.Value;

    public static KeyMaterial P521 => LazyP521.Value;

    public static KeyMaterial Rsa2048 => LazyRsa.Value;

    /// <summary>A second P-256 key, for "signed by someone else".</summary>
    public static KeyMaterial OtherP256 => LazyOtherP256.Value;

    public static KeyMaterial ByAlgorithm(string algorithm) => algorithm switch
    {
        "ES256" => P256,
        "ES384" => P384,
        "ES512" => P521,
        "RS256" => Rsa2048,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    /// <summary>A signing key (PKCS#8 key, with its certificate).</summary>
    public static TokenSigningKey Load(KeyMaterial material)
    {
        var result = TokenSigningKey.FromPem(material.Pkcs8Pem, material.CertificatePem, "key.pem", "cert.pem");
        Assert.True(result.IsValid, result.Error);
        return result.Key;
    }

    public static KeyMaterial CreateEc(ECCurve curve, HashAlgorithmName hash)
    {
        using var key = ECDsa.Create(curve);
        var request = new CertificateRequest("CN=registry-gateway token signer", key, hash);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        return new KeyMaterial(key.ExportPkcs8PrivateKeyPem(), key.ExportECPrivateKeyPem(), certificate.ExportCertificatePem(), certificate.RawData);
    }

    public static KeyMaterial CreateRsa(int bits)
    {
        using var key = RSA.Create(bits);
        var request = new CertificateRequest("CN=registry-gateway token signer", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        return new KeyMaterial(key.ExportPkcs8PrivateKeyPem(), key.ExportRSAPrivateKeyPem(), certificate.ExportCertificatePem(), certificate.RawData);
    }

    /// <summary>One key as PEM: PKCS#8, the traditional form (SEC 1 or PKCS#1), and a self-signed certificate.</summary>
    public sealed record KeyMaterial(string Pkcs8Pem, string TraditionalPem, string CertificatePem, byte[] CertificateDer)
    {
        public X509Certificate2 Certificate() => X509CertificateLoader.LoadCertificate(CertificateDer);

        public override string ToString() => "key material";
    }
}
