using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Edge.Access.Identify.Federation;

namespace Gateway.Edge.Tests.Access.Identify.Federation;

public sealed class JsonWebKeySetTests
{
    [Fact]
    public void TryParse_MixedSet_KeepsOnlySignatureKeysItCanUse()
    {
        using var rsa = RSA.Create(2048);
        using var small = RSA.Create(1024);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var keys = new object[]
        {
            Rsa("good-rsa", rsa, use: "sig"),
            Rsa("small-rsa", small),
            Rsa("enc-rsa", rsa, use: "enc"),
            Ec("good-ec", ec, "P-256"),
            Ec("p384", p384, "P-384"),
            new { kty = "oct", kid = "hmac", k = "c2VjcmV0" },
            Rsa("dup", rsa),
            Ec("dup", ec, "P-256"),
        };

        var set = JsonWebKeySet.TryParse(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { keys })))!;

        Assert.Equal(["good-ec", "good-rsa"], set.Keys.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("RS256", set.Keys["good-rsa"].Algorithm);
        Assert.Equal("ES256", set.Keys["good-ec"].Algorithm);
    }

    [Theory]
    [InlineData("""{"keys":{}}""")]
    [InlineData("""[]""")]
    [InlineData("""nope""")]
    public void TryParse_NotAKeySet_Null(string json) =>
        Assert.Null(JsonWebKeySet.TryParse(Encoding.UTF8.GetBytes(json)));

    private static object Rsa(string kid, RSA key, string? use = null)
    {
        var p = key.ExportParameters(false);
        return new { kty = "RSA", kid, use, n = TestIssuer.Encode(p.Modulus!), e = TestIssuer.Encode(p.Exponent!) };
    }

    private static object Ec(string kid, ECDsa key, string curve)
    {
        var q = key.ExportParameters(false).Q;
        return new { kty = "EC", kid, crv = curve, x = TestIssuer.Encode(q.X!), y = TestIssuer.Encode(q.Y!) };
    }
}
