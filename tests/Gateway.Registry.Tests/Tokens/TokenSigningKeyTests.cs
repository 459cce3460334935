using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Registry.Tokens;

namespace Gateway.Registry.Tests.Tokens;

public sealed class TokenSigningKeyTests : IDisposable
{
    // PEM armour built from parts: these inputs are not keys (their body "MAA=" is not even a valid key).
    private const string Begin = "-----BEGIN ";
    private const string End = "-----END ";

    private readonly string _directory = Directory.CreateTempSubdirectory("token-key-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("ES256")]
    [InlineData("ES384")]
    [InlineData("ES512")]
    [InlineData("RS256")]
    public void Load_Pkcs8KeyAndCertificateFiles_AlgorithmByKeyTypeAndCurve(string algorithm)
    {
        var material = TestKeys.ByAlgorithm(algorithm);
        var keyPath = Write("key.pem", material.Pkcs8Pem);
        var certificatePath = Write("cert.pem", material.CertificatePem);

        var result = TokenSigningKey.Load(keyPath, certificatePath);

        Assert.True(result.IsValid, result.Error);
        using var key = result.Key;
        Assert.Equal(algorithm, key.Algorithm);
        Assert.NotNull(key.Certificate);
    }

    [Theory]
    [InlineData("ES256")]
    [InlineData("RS256")]
    public void Load_TraditionalPemWithoutCertificate_LoadsWithEmptyX5c(string algorithm)
    {
        // "EC PRIVATE KEY" (SEC 1) or "RSA PRIVATE KEY" (PKCS#1), as openssl ecparam/genrsa write them.
        var keyPath = Write("key.pem", TestKeys.ByAlgorithm(algorithm).TraditionalPem);

        var result = TokenSigningKey.Load(keyPath, null);

        Assert.True(result.IsValid, result.Error);
        using var key = result.Key;
        Assert.Equal(algorithm, key.Algorithm);
        Assert.Null(key.Certificate);
    }

    [Fact]
    public void Load_EcParametersBlockBeforeKey_Loads()
    {
        // openssl ecparam -genkey writes an EC PARAMETERS block first.
        var pem = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n" + TestKeys.P256.TraditionalPem;

        var result = TokenSigningKey.FromPem(pem, null, "key.pem", null);

        Assert.True(result.IsValid, result.Error);
        result.Key.Dispose();
    }

    [Fact]
    public void Load_CertificateOfAnotherKey_ErrorNamesCertificateFile()
    {
        var keyPath = Write("key.pem", TestKeys.P256.Pkcs8Pem);
        var certificatePath = Write("cert.pem", TestKeys.OtherP256.CertificatePem);

        var result = TokenSigningKey.Load(keyPath, certificatePath);

        Assert.False(result.IsValid);
        Assert.Null(result.Key);
        Assert.StartsWith(certificatePath + ":", result.Error, StringComparison.Ordinal);
        Assert.Contains("does not match the private key", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_LeafNotFirstInChain_ErrorSaysPutItFirst()
    {
        var result = TokenSigningKey.FromPem(TestKeys.P256.Pkcs8Pem, TestKeys.OtherP256.CertificatePem + "\n" + TestKeys.P256.CertificatePem, "key.pem", "chain.pem");

        Assert.False(result.IsValid);
        Assert.Contains("certificate 2", result.Error, StringComparison.Ordinal);
        Assert.Contains("first", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingKeyFile_ErrorNamesFile()
    {
        var path = Path.Combine(_directory, "absent.pem");

        var result = TokenSigningKey.Load(path, null);

        Assert.False(result.IsValid);
        Assert.Equal($"{path}: file not found.", result.Error);
    }

    [Fact]
    public void Load_MissingCertificateFile_ErrorNamesCertificateFile()
    {
        var keyPath = Write("key.pem", TestKeys.P256.Pkcs8Pem);
        var certificatePath = Path.Combine(_directory, "absent.crt");

        var result = TokenSigningKey.Load(keyPath, certificatePath);

        Assert.Equal($"{certificatePath}: file not found.", result.Error);
    }

    [Theory]
    [InlineData("", "no PEM private key found")]
    [InlineData("not a key", "no PEM private key found")]
    [InlineData(Begin + "ENCRYPTED PRIVATE KEY-----\nMAA=\n" + End + "ENCRYPTED PRIVATE KEY-----\n", "encrypted")]
    [InlineData(Begin + "PRIVATE KEY-----\nMAA=\n" + End + "PRIVATE KEY-----\n", "not valid PKCS#8")]
    public void FromPem_NoUsableKey_ErrorNamesSourceAndProblem(string pem, string problem)
    {
        var result = TokenSigningKey.FromPem(pem, null, "/etc/gw/key.pem", null);

        Assert.False(result.IsValid);
        Assert.StartsWith("/etc/gw/key.pem: ", result.Error, StringComparison.Ordinal);
        Assert.Contains(problem, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void FromPem_PublicKeyOnly_ErrorSaysNoPrivateKey()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var result = TokenSigningKey.FromPem(ec.ExportSubjectPublicKeyInfoPem(), null, "key.pem", null);

        Assert.Equal("key.pem: holds no private key, only a PUBLIC KEY.", result.Error);
    }

    [Fact]
    public void FromPem_CertificateInKeyFile_OnlyItsKeyIsRead()
    {
        var result = TokenSigningKey.FromPem(TestKeys.P256.CertificatePem + "\n" + TestKeys.P256.Pkcs8Pem, null, "combined.pem", null);

        Assert.True(result.IsValid, result.Error);
        result.Key.Dispose();
    }

    [Fact]
    public void FromPem_TwoPrivateKeys_Error()
    {
        var result = TokenSigningKey.FromPem(TestKeys.P256.Pkcs8Pem + "\n" + TestKeys.OtherP256.Pkcs8Pem, null, "key.pem", null);

        Assert.Contains("more than one private key", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void FromPem_Ed25519Key_ErrorSaysRegistryAcceptsEcAndRsaOnly()
    {
        // PKCS#8 of an Ed25519 key (RFC 8410 §10.3 layout), which registry 2.8 cannot verify.
        var der = Convert.FromHexString("302e020100300506032b657004220420" + new string('1', 64));
        var pem = PemEncoding.WriteString("PRIVATE KEY", der);

        var result = TokenSigningKey.FromPem(pem, null, "key.pem", null);

        Assert.Contains("EdDSA", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void FromPem_Rsa1024_ErrorSaysAtLeast2048()
    {
        var material = TestKeys.CreateRsa(1024);

        var result = TokenSigningKey.FromPem(material.Pkcs8Pem, null, "key.pem", null);

        Assert.Equal("key.pem: an RSA key of 1024 bits; at least 2048 are required.", result.Error);
    }

    [Fact]
    public void FromPem_UnsupportedCurve_ErrorNamesAcceptedCurves()
    {
        var material = TestKeys.CreateEc(ECCurve.NamedCurves.brainpoolP256r1, HashAlgorithmName.SHA256);

        var result = TokenSigningKey.FromPem(material.Pkcs8Pem, null, "key.pem", null);

        Assert.Contains("P-256, P-384 and P-521", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void FromKey_PublicKeyOnly_Error()
    {
        using var full = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var publicOnly = ECDsa.Create(full.ExportParameters(false));

        var result = TokenSigningKey.FromKey(publicOnly);

        Assert.False(result.IsValid);
        Assert.Contains("no usable private key", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void FromKey_KeyAndCertificate_CertificateCopiedAndMatched()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var request = new CertificateRequest("CN=signer", ec, HashAlgorithmName.SHA384);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var copy = ECDsa.Create(ec.ExportParameters(true));

        var result = TokenSigningKey.FromKey(copy, [certificate]);

        Assert.True(result.IsValid, result.Error);
        using var key = result.Key;
        Assert.Equal("ES384", key.Algorithm);
        Assert.Equal(certificate.RawData, key.Certificate!.RawData);
    }

    [Fact]
    public void HasKeyId_EitherFormat_TrueOtherwiseFalse()
    {
        using var key = TestKeys.Load(TestKeys.P256);

        Assert.True(key.HasKeyId(key.LibtrustKeyId));
        Assert.True(key.HasKeyId(key.JwkThumbprint));
        Assert.False(key.HasKeyId(null));
        Assert.False(key.HasKeyId(key.LibtrustKeyId.ToLowerInvariant()));
    }

    [Fact]
    public void ToString_NeverShowsKeyMaterial()
    {
        using var key = TestKeys.Load(TestKeys.P256);

        Assert.Equal($"ES256 key {key.LibtrustKeyId}", key.ToString());
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }
}
