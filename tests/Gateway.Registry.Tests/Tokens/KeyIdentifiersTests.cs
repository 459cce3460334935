using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Gateway.Registry.Tokens;

namespace Gateway.Registry.Tests.Tokens;

public sealed class KeyIdentifiersTests
{
    // The example key of distribution's jwt.md (registry-auth.md §2.5) and the kid the spec gives for it.
    private const string SpecX = "m7zUpx3b-zmVE5cymSs64POG9QcyEpJaYCD82-549_Q";
    private const string SpecY = "dU3biz8sZ_8GPB-odm8Wxz3lNDr1xcAQQPQaOcr1fmc";
    private const string SpecD = "R7OnbfMaD5J2jl7GeE8ESo7CnHSBm_1N2k9IXYFrKJA";
    private const string SpecKid = "PYYO:TEWU:V7JH:26JV:AQTZ:LJC3:SXVJ:XGHA:34F2:2LAQ:ZRMK:Z7Q6";

    // RFC 7638 §3.1: the example RSA key and its thumbprint.
    private const string RfcN =
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn6"
        + "4tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n9"
        + "1CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
    private const string RfcE = "AQAB";
    private const string RfcThumbprint = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

    [Fact]
    public void LibtrustKeyId_SpecExampleSubjectPublicKeyInfo_IsSpecKid()
    {
        // The DER SubjectPublicKeyInfo of the example P-256 point, built by hand: header ‖ 04 ‖ x ‖ y.
        var spki = Convert.FromHexString("3059301306072a8648ce3d020106082a8648ce3d030107034200")
            .Concat(new byte[] { 0x04 })
            .Concat(TokenTestContext.Base64UrlDecode(SpecX))
            .Concat(TokenTestContext.Base64UrlDecode(SpecY))
            .ToArray();

        Assert.Equal(SpecKid, KeyIdentifiers.LibtrustKeyId(spki));
    }

    [Fact]
    public void LibtrustKeyId_SpecExampleKey_IsSpecKid()
    {
        using var key = SpecKey();

        Assert.Equal(SpecKid, KeyIdentifiers.LibtrustKeyId(key));
    }

    [Fact]
    public void TokenSigningKey_SpecExamplePrivateKey_LibtrustKeyIdIsSpecKidAndAlgorithmES256()
    {
        var result = TokenSigningKey.FromKey(SpecKey());

        Assert.True(result.IsValid, result.Error);
        using var key = result.Key;
        Assert.Equal(SpecKid, key.LibtrustKeyId);
        Assert.Equal(SpecKid, key.KeyId(KeyIdFormat.Libtrust));
        Assert.Equal("ES256", key.Algorithm);
    }

    [Fact]
    public void JwkThumbprint_Rfc7638ExampleKey_IsRfcThumbprint()
    {
        using var rsa = RSA.Create();
        rsa.ImportParameters(new RSAParameters
        {
            Modulus = TokenTestContext.Base64UrlDecode(RfcN),
            Exponent = TokenTestContext.Base64UrlDecode(RfcE),
        });

        Assert.Equal(RfcThumbprint, KeyIdentifiers.JwkThumbprint(rsa));
    }

    [Fact]
    public void JwkThumbprint_SpecExampleEcKey_IsSha256OfCanonicalMembersInOrder()
    {
        using var key = SpecKey();
        var canonical = $$"""{"crv":"P-256","kty":"EC","x":"{{SpecX}}","y":"{{SpecY}}"}""";
        var expected = TokenTestContext.Base64UrlEncode(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));

        Assert.Equal(expected, KeyIdentifiers.JwkThumbprint(key));
    }

    [Theory]
    [InlineData("ES256")]
    [InlineData("ES384")]
    [InlineData("ES512")]
    [InlineData("RS256")]
    public void LibtrustKeyId_AnyKey_TwelveGroupsOfFourBase32(string algorithm)
    {
        using var key = TestKeys.Load(TestKeys.ByAlgorithm(algorithm));

        Assert.Matches(new Regex("^[A-Z2-7]{4}(:[A-Z2-7]{4}){11}$"), key.LibtrustKeyId);
    }

    [Theory]
    [InlineData("ES256")]
    [InlineData("RS256")]
    public void LibtrustKeyId_SigningKey_EqualsIdOfItsCertificatesPublicKey(string algorithm)
    {
        // What registry 2.8 computes from the rootcertbundle certificate (x509.MarshalPKIXPublicKey of its key).
        var material = TestKeys.ByAlgorithm(algorithm);
        using var key = TestKeys.Load(material);
        using var certificate = material.Certificate();
        var expected = KeyIdentifiers.LibtrustKeyId(certificate.PublicKey.ExportSubjectPublicKeyInfo());

        Assert.Equal(expected, key.LibtrustKeyId);
    }

    [Fact]
    public void PublicJwk_EcKey_HasPublicMembersOnly()
    {
        using var key = SpecKey();

        var jwk = KeyIdentifiers.PublicJwk(key, "kid-1");

        Assert.Equal("EC", (string?)jwk["kty"]);
        Assert.Equal("P-256", (string?)jwk["crv"]);
        Assert.Equal(SpecX, (string?)jwk["x"]);
        Assert.Equal(SpecY, (string?)jwk["y"]);
        Assert.Equal("ES256", (string?)jwk["alg"]);
        Assert.Equal("sig", (string?)jwk["use"]);
        Assert.Equal("kid-1", (string?)jwk["kid"]);
        Assert.False(jwk.ContainsKey("d"));
    }

    [Fact]
    public void PublicJwk_RsaKey_ModulusAndExponentWithoutLeadingZeros()
    {
        using var rsa = RSA.Create();
        rsa.ImportParameters(new RSAParameters
        {
            Modulus = TokenTestContext.Base64UrlDecode(RfcN),
            Exponent = [0, 1, 0, 1],
        });

        var jwk = KeyIdentifiers.PublicJwk(rsa, null);

        Assert.Equal("RSA", (string?)jwk["kty"]);
        Assert.Equal(RfcN, (string?)jwk["n"]);
        Assert.Equal("AQAB", (string?)jwk["e"]);
        Assert.Equal("RS256", (string?)jwk["alg"]);
        Assert.False(jwk.ContainsKey("kid"));
    }

    private static ECDsa SpecKey() => ECDsa.Create(new ECParameters
    {
        Curve = ECCurve.NamedCurves.nistP256,
        Q = new ECPoint { X = TokenTestContext.Base64UrlDecode(SpecX), Y = TokenTestContext.Base64UrlDecode(SpecY) },
        D = TokenTestContext.Base64UrlDecode(SpecD),
    });
}
