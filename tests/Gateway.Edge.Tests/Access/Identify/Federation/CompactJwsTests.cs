using Gateway.Edge.Access.Identify.Federation;

namespace Gateway.Edge.Tests.Access.Identify.Federation;

public sealed class CompactJwsTests
{
    private readonly TestIssuer _issuer = new();

    [Theory]
    [InlineData("""{"alg":"none","kid":"k"}""")]
    [InlineData("""{"alg":"HS256","kid":"k"}""")]
    [InlineData("""{"alg":"RS512","kid":"k"}""")]
    [InlineData("""{"alg":"PS256","kid":"k"}""")]
    [InlineData("""{"kid":"k"}""")]
    [InlineData("""{"alg":["RS256"],"kid":"k"}""")]
    public void TryParse_AlgorithmNotRs256OrEs256_Refused(string header)
    {
        var token = $"{TestIssuer.Encode(header)}.{TestIssuer.Encode("""{"iss":"x"}""")}.c2ln";

        Assert.Null(CompactJws.TryParse(token, 16384, out var rejection));
        Assert.Equal(TokenRejection.UnsupportedAlgorithm, rejection);
    }

    [Theory]
    [InlineData("jwk")]
    [InlineData("jku")]
    [InlineData("x5c")]
    [InlineData("x5u")]
    [InlineData("crit")]
    public void TryParse_HeaderWithAKeyOrCrit_Refused(string member)
    {
        var token = _issuer.Mint(_issuer.Claims(), header: new() { [member] = "https://evil.test/key" });

        Assert.Null(CompactJws.TryParse(token, 16384, out var rejection));
        Assert.Equal(TokenRejection.ForbiddenHeader, rejection);
    }

    [Theory]
    [InlineData("""{"iss":"a","iss":"b"}""")]
    [InlineData("""["iss"]""")]
    [InlineData("""not json""")]
    public void TryParse_PayloadNotOneObject_Malformed(string payload)
    {
        var token = _issuer.Sign($"{TestIssuer.Encode("""{"alg":"RS256","kid":"k"}""")}.{TestIssuer.Encode(payload)}", "RS256");

        Assert.Null(CompactJws.TryParse(token, 16384, out var rejection));
        Assert.Equal(TokenRejection.Malformed, rejection);
    }

    [Theory]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData("..")]
    [InlineData("eyJ.eyJ=.abc")]
    [InlineData("eyJ hbGc.eyJ.abc")]
    public void TryParse_NotThreeBase64UrlParts_Malformed(string token)
    {
        Assert.Null(CompactJws.TryParse(token, 16384, out var rejection));
        Assert.Equal(TokenRejection.Malformed, rejection);
    }

    [Fact]
    public void TryParse_LongerThanTheLimit_TooLongWithoutDecoding()
    {
        var claims = _issuer.Claims();
        claims["padding"] = new string('x', 20000);

        Assert.Null(CompactJws.TryParse(_issuer.Mint(claims), 16384, out var rejection));
        Assert.Equal(TokenRejection.TooLong, rejection);
    }

    [Fact]
    public void LooksLikeJws_PasswordsAndTokens_TellsThemApart()
    {
        Assert.True(CompactJws.LooksLikeJws(_issuer.Mint(_issuer.Claims())));
        Assert.False(CompactJws.LooksLikeJws("correct horse battery staple"));
        Assert.False(CompactJws.LooksLikeJws("s3cr3t.pass.word"));
    }
}
