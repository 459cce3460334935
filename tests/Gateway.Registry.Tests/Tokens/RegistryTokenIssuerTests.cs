using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Gateway.Registry.Tokens;
using static Gateway.Registry.Tests.Tokens.TokenTestContext;

namespace Gateway.Registry.Tests.Tokens;

public sealed class RegistryTokenIssuerTests
{
    [Fact]
    public void Issue_Header_CompactTypAlgKidInOrder()
    {
        using var context = new TokenTestContext();

        var token = context.Issuer.Issue("alice", []).Token;

        Assert.Equal($$"""{"typ":"JWT","alg":"ES256","kid":"{{context.Key.LibtrustKeyId}}"}""", DecodeText(Parts(token)[0]));
    }

    [Fact]
    public void Issue_ThumbprintFormat_KidIsJwkThumbprint()
    {
        using var context = new TokenTestContext(format: KeyIdFormat.Thumbprint);

        var token = context.Issuer.Issue("alice", []).Token;

        Assert.Equal($$"""{"typ":"JWT","alg":"ES256","kid":"{{context.Key.JwkThumbprint}}"}""", DecodeText(Parts(token)[0]));
    }

    [Fact]
    public void Issue_Claims_ExactCompactJsonInSpecOrder()
    {
        using var context = new TokenTestContext();

        var issued = context.Issuer.Issue("alice", [Scope("repository:alice/app:push,pull")]);

        var t0 = T0.ToUnixTimeSeconds();
        var expected = $$"""{"iss":"registry-gateway","sub":"alice","aud":"registry.example.com","exp":{{t0 + 300}},"nbf":{{t0 - 10}},"iat":{{t0}},"jti":"{{issued.Claims.JwtId}}","access":[{"type":"repository","name":"alice/app","actions":["pull","push"]}]}""";
        Assert.Equal(expected, DecodeText(Parts(issued.Token)[1]));
    }

    [Fact]
    public void Issue_Claims_AudIsStringAndTimesAreIntegers()
    {
        using var context = new TokenTestContext();
        context.Time.Advance(TimeSpan.FromMilliseconds(750)); // sub-second clock: the claims are still whole seconds

        var claims = Claims(context.Issuer.Issue("alice", []).Token);

        Assert.Equal(JsonValueKind.String, claims.GetProperty("aud").ValueKind);
        foreach (var name in new[] { "exp", "nbf", "iat" })
        {
            var value = claims.GetProperty(name);
            Assert.Equal(JsonValueKind.Number, value.ValueKind);
            Assert.True(value.TryGetInt64(out _));
            Assert.DoesNotContain('.', value.GetRawText());
        }

        Assert.Equal(T0.ToUnixTimeSeconds(), claims.GetProperty("iat").GetInt64());
    }

    [Fact]
    public void Issue_NothingGranted_AccessIsEmptyArrayNotNull()
    {
        using var context = new TokenTestContext();

        var token = context.Issuer.Issue("alice", []).Token;

        Assert.Contains("\"access\":[]", DecodeText(Parts(token)[1]), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Array, Claims(token).GetProperty("access").ValueKind);
    }

    [Fact]
    public void Issue_ScopeWithNoGrantedActions_EntryWithEmptyActionsArray()
    {
        using var context = new TokenTestContext();

        var token = context.Issuer.Issue("alice", [Scope("repository:bob/app:")]).Token;

        Assert.Contains("""{"type":"repository","name":"bob/app","actions":[]}""", DecodeText(Parts(token)[1]), StringComparison.Ordinal);
    }

    [Fact]
    public void Issue_ClassAndDuplicateResources_OneEntryPerResourceWithoutClassActionsSorted()
    {
        using var context = new TokenTestContext();

        var issued = context.Issuer.Issue("alice", [
            Scope("repository(plugin):a/b:push"),
            Scope("registry:catalog:*"),
            Scope("repository:a/b:delete,pull"),
            Scope("repository:localhost:5000/c:pull"),
        ]);

        var access = Claims(issued.Token).GetProperty("access");
        Assert.Equal(
            """[{"type":"repository","name":"a/b","actions":["delete","pull","push"]},{"type":"registry","name":"catalog","actions":["*"]},{"type":"repository","name":"localhost:5000/c","actions":["pull"]}]""",
            access.GetRawText());
    }

    [Fact]
    public void Issue_AnonymousSubject_EmptySub()
    {
        using var context = new TokenTestContext();

        var claims = Claims(context.Issuer.Issue(string.Empty, []).Token);

        Assert.Equal(string.Empty, claims.GetProperty("sub").GetString());
    }

    [Fact]
    public void Issue_TwoTokens_DifferentJti()
    {
        using var context = new TokenTestContext();

        var first = context.Issuer.Issue("alice", []);
        var second = context.Issuer.Issue("alice", []);

        Assert.NotEqual(first.Claims.JwtId, second.Claims.JwtId);
        Assert.True(first.Claims.JwtId.Length >= 16);
    }

    [Fact]
    public void Issue_Lifetime_ExpiresInAndTimesFollowOptions()
    {
        using var context = new TokenTestContext(lifetime: TimeSpan.FromSeconds(90.9));

        var issued = context.Issuer.Issue("alice", []);

        Assert.Equal(90, issued.ExpiresInSeconds);
        Assert.Equal(T0, issued.Claims.IssuedAt);
        Assert.Equal(T0.AddSeconds(-10), issued.Claims.NotBefore);
        Assert.Equal(T0.AddSeconds(90), issued.Claims.ExpiresAt);
    }

    [Fact]
    public void Constructor_LifetimeUnder60Seconds_Throws()
    {
        using var key = TestKeys.Load(TestKeys.P256);
        var options = NewOptions(lifetime: TimeSpan.FromSeconds(59));

        Assert.Throws<ArgumentException>(() => new RegistryTokenIssuer(key, options, TimeProvider.System));
    }

    [Theory]
    [InlineData("ES256", 64)]
    [InlineData("ES384", 96)]
    [InlineData("ES512", 132)]
    public void Issue_EcKey_RawRsSignatureOfFieldLengthVerifiesWithCertificateKey(string algorithm, int length)
    {
        using var context = new TokenTestContext(algorithm);
        var parts = Parts(context.Issuer.Issue("alice", [Scope("repository:a:pull")]).Token);
        var signature = Base64UrlDecode(parts[2]);
        using var certificate = TestKeys.ByAlgorithm(algorithm).Certificate();
        using var publicKey = certificate.GetECDsaPublicKey()!;
        var hash = algorithm switch { "ES384" => HashAlgorithmName.SHA384, "ES512" => HashAlgorithmName.SHA512, _ => HashAlgorithmName.SHA256 };

        var verified = publicKey.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

        Assert.Equal(length, signature.Length);
        Assert.True(verified);
    }

    [Fact]
    public void Issue_RsaKey_Pkcs1Sha256SignatureVerifiesWithCertificateKey()
    {
        using var context = new TokenTestContext("RS256");
        var parts = Parts(context.Issuer.Issue("alice", []).Token);
        using var certificate = TestKeys.Rsa2048.Certificate();
        using var publicKey = certificate.GetRSAPublicKey()!;

        var verified = publicKey.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64UrlDecode(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

        Assert.Equal("RS256", JsonDocument.Parse(DecodeText(parts[0])).RootElement.GetProperty("alg").GetString());
        Assert.True(verified);
    }

    [Fact]
    public void Issue_Token_Base64UrlWithoutPadding()
    {
        using var context = new TokenTestContext();

        var token = context.Issuer.Issue("jürgen+<x>", [Scope("repository:a:pull")]).Token;

        Assert.Matches("^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$", token);
        Assert.Equal("jürgen+<x>", Claims(token).GetProperty("sub").GetString());
    }

    [Fact]
    public void IssuedToken_ToString_NeverShowsToken()
    {
        using var context = new TokenTestContext();

        var issued = context.Issuer.Issue("alice", [Scope("repository:a:pull")]);

        Assert.DoesNotContain(Parts(issued.Token)[2], issued.ToString(), StringComparison.Ordinal);
        Assert.Contains("alice", issued.ToString(), StringComparison.Ordinal);
    }
}
