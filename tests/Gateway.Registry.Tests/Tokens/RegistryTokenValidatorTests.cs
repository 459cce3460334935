using System.Security.Cryptography;
using System.Text;
using Gateway.Registry.Tokens;
using Microsoft.Extensions.Time.Testing;
using static Gateway.Registry.Tests.Tokens.TokenTestContext;

namespace Gateway.Registry.Tests.Tokens;

public sealed class RegistryTokenValidatorTests
{
    [Theory]
    [InlineData("ES256", KeyIdFormat.Libtrust)]
    [InlineData("ES384", KeyIdFormat.Libtrust)]
    [InlineData("ES512", KeyIdFormat.Thumbprint)]
    [InlineData("RS256", KeyIdFormat.Libtrust)]
    [InlineData("RS256", KeyIdFormat.Thumbprint)]
    public void Validate_IssuedToken_ValidWithSameClaims(string algorithm, KeyIdFormat format)
    {
        using var context = new TokenTestContext(algorithm, format);
        var issued = context.Issuer.Issue("alice", [Scope("repository:alice/app:pull,push"), Scope("registry:catalog:*")]);

        var result = context.Validator.Validate(issued.Token);

        Assert.Equal(TokenValidationStatus.Valid, result.Status);
        Assert.True(result.IsValid);
        Assert.Equal(issued.Claims.Subject, result.Claims.Subject);
        Assert.Equal(issued.Claims.JwtId, result.Claims.JwtId);
        Assert.Equal(issued.Claims.ExpiresAt, result.Claims.ExpiresAt);
        Assert.Equal(issued.Claims.Access.Entries, result.Claims.Access.Entries);
        Assert.True(result.Claims.Access.Allows(Scope("repository:alice/app:push")));
    }

    [Fact]
    public void Validate_ConcurrentIssueAndValidate_AllValid()
    {
        using var context = new TokenTestContext();

        var statuses = Enumerable.Range(0, 200).AsParallel().WithDegreeOfParallelism(8)
            .Select(i => context.Validator.Validate(context.Issuer.Issue($"user{i}", [Scope($"repository:r{i}:pull")]).Token))
            .Select(r => r.Status)
            .Distinct()
            .ToList();

        Assert.Equal([TokenValidationStatus.Valid], statuses);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData("..")]
    public void Validate_NotThreeParts_Malformed(string? token)
    {
        using var context = new TokenTestContext();

        Assert.Equal(TokenValidationStatus.Malformed, context.Validator.Validate(token).Status);
    }

    [Theory]
    [InlineData("=")]
    [InlineData(" ")]
    [InlineData("+")]
    [InlineData("/")]
    public void Validate_NonBase64UrlCharacterInPart_Malformed(string insert)
    {
        using var context = new TokenTestContext();
        var parts = Parts(context.Issuer.Issue("alice", []).Token);

        var result = context.Validator.Validate($"{parts[0]}.{parts[1]}{insert}.{parts[2]}");

        Assert.Equal(TokenValidationStatus.Malformed, result.Status);
    }

    [Fact]
    public void Validate_TooLong_Malformed()
    {
        using var context = new TokenTestContext();

        var result = context.Validator.Validate(new string('a', RegistryTokenValidator.MaxTokenLength + 1) + ".b.c");

        Assert.Equal(TokenValidationStatus.Malformed, result.Status);
    }

    [Fact]
    public void Validate_AlgNoneWithEmptySignature_AlgorithmNotAllowed()
    {
        using var context = new TokenTestContext();
        var header = Encode($$"""{"typ":"JWT","alg":"none","kid":"{{context.Key.LibtrustKeyId}}"}""");

        var result = context.Validator.Validate($"{header}.{Encode(context.ClaimsJson())}.");

        Assert.Equal(TokenValidationStatus.AlgorithmNotAllowed, result.Status);
        Assert.Null(result.Claims);
    }

    [Theory]
    [InlineData("ES256")]
    [InlineData("RS256")]
    public void Validate_Hs256WithPublicKeyAsSecret_AlgorithmNotAllowed(string algorithm)
    {
        // The classic confusion attack: HMAC keyed with the (public) verification key.
        using var context = new TokenTestContext(algorithm);
        using var certificate = TestKeys.ByAlgorithm(algorithm).Certificate();
        var input = Encode($$"""{"typ":"JWT","alg":"HS256","kid":"{{context.Key.LibtrustKeyId}}"}""") + "." + Encode(context.ClaimsJson());
        foreach (var secret in new[] { certificate.PublicKey.ExportSubjectPublicKeyInfo(), Encoding.ASCII.GetBytes(TestKeys.ByAlgorithm(algorithm).CertificatePem) })
        {
            var signature = Base64UrlEncode(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(input)));

            Assert.Equal(TokenValidationStatus.AlgorithmNotAllowed, context.Validator.Validate($"{input}.{signature}").Status);
        }
    }

    [Theory]
    [InlineData("ES384")]
    [InlineData("RS256")]
    [InlineData("PS256")]
    [InlineData("EdDSA")]
    [InlineData("es256")]
    public void Validate_AlgorithmOtherThanKeys_AlgorithmNotAllowed(string algorithm)
    {
        using var context = new TokenTestContext();

        var token = context.SignRaw($$"""{"typ":"JWT","alg":"{{algorithm}}","kid":"{{context.Key.LibtrustKeyId}}"}""", context.ClaimsJson());

        Assert.Equal(TokenValidationStatus.AlgorithmNotAllowed, context.Validator.Validate(token).Status);
    }

    [Fact]
    public void Validate_HeaderWithoutAlg_Malformed()
    {
        using var context = new TokenTestContext();

        var token = context.SignRaw($$"""{"typ":"JWT","kid":"{{context.Key.LibtrustKeyId}}"}""", context.ClaimsJson());

        Assert.Equal(TokenValidationStatus.Malformed, context.Validator.Validate(token).Status);
    }

    [Fact]
    public void Validate_ThumbprintKidWhileIssuingLibtrust_Valid()
    {
        using var context = new TokenTestContext();

        var token = context.SignRaw($$"""{"typ":"JWT","alg":"ES256","kid":"{{context.Key.JwkThumbprint}}"}""", context.ClaimsJson());

        Assert.Equal(TokenValidationStatus.Valid, context.Validator.Validate(token).Status);
    }

    [Theory]
    [InlineData("""{"typ":"JWT","alg":"ES256","kid":"AAAA:BBBB:CCCC:DDDD:EEEE:FFFF:GGGG:HHHH:IIII:JJJJ:KKKK:LLLL"}""")]
    [InlineData("""{"typ":"JWT","alg":"ES256"}""")]
    [InlineData("""{"typ":"JWT","alg":"ES256","kid":""}""")]
    public void Validate_KidNotOurs_UnknownKey(string header)
    {
        using var context = new TokenTestContext();

        var token = context.SignRaw(header, context.ClaimsJson());

        Assert.Equal(TokenValidationStatus.UnknownKey, context.Validator.Validate(token).Status);
    }

    [Fact]
    public void Validate_TamperedPayload_BadSignature()
    {
        using var context = new TokenTestContext();
        var parts = Parts(context.Issuer.Issue("alice", [Scope("repository:alice/app:pull")]).Token);
        var forged = DecodeText(parts[1]).Replace("\"actions\":[\"pull\"]", "\"actions\":[\"pull\",\"push\"]", StringComparison.Ordinal);

        var result = context.Validator.Validate($"{parts[0]}.{Encode(forged)}.{parts[2]}");

        Assert.Equal(TokenValidationStatus.BadSignature, result.Status);
        Assert.Null(result.Claims);
    }

    [Fact]
    public void Validate_TamperedHeader_BadSignature()
    {
        using var context = new TokenTestContext();
        var parts = Parts(context.Issuer.Issue("alice", []).Token);
        var header = $$"""{"typ":"jwt","alg":"ES256","kid":"{{context.Key.LibtrustKeyId}}"}""";

        Assert.Equal(TokenValidationStatus.BadSignature, context.Validator.Validate($"{Encode(header)}.{parts[1]}.{parts[2]}").Status);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(63)]
    public void Validate_TamperedSignature_BadSignature(int index)
    {
        using var context = new TokenTestContext();
        var parts = Parts(context.Issuer.Issue("alice", []).Token);
        var signature = Base64UrlDecode(parts[2]);
        signature[index] ^= 0x01;

        var result = context.Validator.Validate($"{parts[0]}.{parts[1]}.{Base64UrlEncode(signature)}");

        Assert.Equal(TokenValidationStatus.BadSignature, result.Status);
    }

    [Fact]
    public void Validate_DerEncodedEcdsaSignature_BadSignature()
    {
        // Valid in the ASN.1 form, but registry 2.8 (libtrust) wants exactly 64 bytes of r‖s for ES256.
        using var context = new TokenTestContext();
        var input = Encode(context.HeaderJson) + "." + Encode(context.ClaimsJson());
        using var ec = ECDsa.Create();
        ec.ImportFromPem(TestKeys.P256.Pkcs8Pem);
        var der = ec.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

        Assert.Equal(TokenValidationStatus.BadSignature, context.Validator.Validate($"{input}.{Base64UrlEncode(der)}").Status);
        Assert.Equal(TokenValidationStatus.Valid, context.Validator.Validate(context.SignRaw(context.HeaderJson, context.ClaimsJson())).Status);
    }

    [Fact]
    public void Validate_EmptySignature_BadSignature()
    {
        using var context = new TokenTestContext();
        var parts = Parts(context.Issuer.Issue("alice", []).Token);

        Assert.Equal(TokenValidationStatus.BadSignature, context.Validator.Validate($"{parts[0]}.{parts[1]}.").Status);
    }

    [Fact]
    public void Validate_SignedByAnotherKeyWithOurKid_BadSignature()
    {
        using var context = new TokenTestContext();
        using var otherKey = TestKeys.Load(TestKeys.OtherP256);
        var forger = new RegistryTokenIssuer(otherKey, context.Options, context.Time);

        var token = forger.SignEncoded(Encode(context.HeaderJson), Encode(context.ClaimsJson()));

        Assert.Equal(TokenValidationStatus.BadSignature, context.Validator.Validate(token).Status);
    }

    [Fact]
    public void Validate_OtherIssuer_WrongIssuer()
    {
        using var context = new TokenTestContext();
        var options = NewOptions();
        options.Issuer = "someone-else";
        var issuer = new RegistryTokenIssuer(context.Key, options, context.Time);

        var result = context.Validator.Validate(issuer.Issue("alice", []).Token);

        Assert.Equal(TokenValidationStatus.WrongIssuer, result.Status);
        Assert.Equal("alice", result.Claims?.Subject);
    }

    [Fact]
    public void Validate_OtherService_WrongAudience()
    {
        using var context = new TokenTestContext();
        var options = NewOptions();
        options.Service = "other-registry.example.com";
        var issuer = new RegistryTokenIssuer(context.Key, options, context.Time);

        Assert.Equal(TokenValidationStatus.WrongAudience, context.Validator.Validate(issuer.Issue("alice", []).Token).Status);
    }

    [Theory]
    [InlineData("""["registry.example.com"]""")]
    [InlineData("""["registry.example.com","other"]""")]
    [InlineData("null")]
    [InlineData("1")]
    public void Validate_AudNotAString_Malformed(string audience)
    {
        // Registry 2.8 decodes aud into a Go string: a list fails to decode.
        using var context = new TokenTestContext();

        var token = context.SignRaw(context.HeaderJson, context.ClaimsJson(audienceJson: audience));

        Assert.Equal(TokenValidationStatus.Malformed, context.Validator.Validate(token).Status);
    }

    [Theory]
    [InlineData("1893456300.5")]
    [InlineData("\"1893456300\"")]
    [InlineData("1.8934563e9")]
    [InlineData("null")]
    public void Validate_ExpNotAnInteger_Malformed(string exp)
    {
        using var context = new TokenTestContext();

        var token = context.SignRaw(context.HeaderJson, context.ClaimsJson(exp: exp));

        Assert.Equal(TokenValidationStatus.Malformed, context.Validator.Validate(token).Status);
    }

    [Theory]
    [InlineData("""{"iss":"registry-gateway","aud":"registry.example.com"}""")]
    [InlineData("""{"iss":"registry-gateway","aud":"registry.example.com","exp":1893456300,"exp":1893456300}""")]
    [InlineData("""{"iss":"registry-gateway","aud":"registry.example.com","exp":1893456300,"access":{}}""")]
    [InlineData("""{"iss":"registry-gateway","aud":"registry.example.com","exp":1893456300,"access":[{"type":"repository","actions":["pull"]}]}""")]
    [InlineData("""{"iss":"registry-gateway","aud":"registry.example.com","exp":1893456300,"access":[{"type":"repository","name":"a","actions":"pull"}]}""")]
    [InlineData("""["iss"]""")]
    [InlineData("""{"iss":"registry-gateway",}""")]
    public void Validate_ClaimsOfWrongShape_Malformed(string claims)
    {
        using var context = new TokenTestContext();

        var token = context.SignRaw(context.HeaderJson, claims);

        Assert.Equal(TokenValidationStatus.Malformed, context.Validator.Validate(token).Status);
    }

    [Fact]
    public void Validate_CritHeader_Malformed()
    {
        using var context = new TokenTestContext();
        var header = $$"""{"typ":"JWT","alg":"ES256","kid":"{{context.Key.LibtrustKeyId}}","crit":["exp"]}""";

        Assert.Equal(TokenValidationStatus.Malformed, context.Validator.Validate(context.SignRaw(header, context.ClaimsJson())).Status);
    }

    [Fact]
    public void Validate_MinimalClaims_ValidWithDefaults()
    {
        using var context = new TokenTestContext();
        var claims = $$$"""{"iss":"registry-gateway","aud":"registry.example.com","exp":{{{T0.ToUnixTimeSeconds() + 60}}},"extra":{"x":[1]}}""";

        var result = context.Validator.Validate(context.SignRaw(context.HeaderJson, claims));

        Assert.Equal(TokenValidationStatus.Valid, result.Status);
        Assert.Equal(string.Empty, result.Claims!.Subject);
        Assert.Empty(result.Claims.Access.Entries);
    }

    [Theory]
    [InlineData(59, TokenValidationStatus.Valid)]
    [InlineData(60, TokenValidationStatus.Valid)]
    [InlineData(61, TokenValidationStatus.Expired)]
    [InlineData(3600, TokenValidationStatus.Expired)]
    public void Validate_AfterExpiry_ValidWithinLeewayThenExpired(int secondsPastExpiry, TokenValidationStatus expected)
    {
        using var context = new TokenTestContext();
        var issued = context.Issuer.Issue("alice", []);
        context.Time.SetUtcNow(issued.Claims.ExpiresAt.AddSeconds(secondsPastExpiry));

        Assert.Equal(expected, context.Validator.Validate(issued.Token).Status);
    }

    [Theory]
    [InlineData(59, TokenValidationStatus.Valid)]
    [InlineData(61, TokenValidationStatus.NotYetValid)]
    public void Validate_BeforeNotBefore_ValidWithinLeewayThenNotYetValid(int secondsBeforeNbf, TokenValidationStatus expected)
    {
        using var context = new TokenTestContext();
        var issued = context.Issuer.Issue("alice", []);
        var validator = new RegistryTokenValidator(context.Key, context.Options, new FakeTimeProvider(issued.Claims.NotBefore.AddSeconds(-secondsBeforeNbf)));

        Assert.Equal(expected, validator.Validate(issued.Token).Status);
    }

    [Fact]
    public void Validate_ExpiredAndTampered_BadSignatureFirst()
    {
        // The signature is checked before any claim, so claims of an unsigned token never decide anything.
        using var context = new TokenTestContext();
        var parts = Parts(context.Issuer.Issue("alice", []).Token);
        context.Time.Advance(TimeSpan.FromDays(1));
        var forged = Encode(context.ClaimsJson().Replace("alice", "admin", StringComparison.Ordinal));

        Assert.Equal(TokenValidationStatus.BadSignature, context.Validator.Validate($"{parts[0]}.{forged}.{parts[2]}").Status);
    }
}
