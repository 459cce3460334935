using System.Security.Cryptography;
using Gateway.Edge.Access.Identify.Federation;

namespace Gateway.Edge.Tests.Access.Identify.Federation;

public sealed class FederatedTokenValidatorTests
{
    private readonly TestIssuer _issuer = new();

    [Theory]
    [InlineData("RS256")]
    [InlineData("ES256")]
    public async Task ValidateAsync_ValidToken_MapsAccountLabelsAndExpiry(string alg)
    {
        var claims = _issuer.Claims();
        claims["groups"] = new[] { "dev", "ops" };
        var token = _issuer.Mint(claims, alg);

        var result = await _issuer.CreateValidator().ValidateAsync(token, default);

        Assert.True(result.IsValid, result.Reason.ToString());
        Assert.Equal("ci/acme/app", result.Account);
        Assert.Equal(["acme"], result.Labels["owner"]);
        Assert.Equal(["dev", "ops"], result.Labels["groups"]);
        Assert.Equal(_issuer.Time.GetUtcNow().AddMinutes(5), result.ExpiresAt);
    }

    [Fact]
    public async Task ValidateAsync_WrongAudience_Refused()
    {
        var claims = _issuer.Claims();
        claims["aud"] = new[] { "someone-else", "another" };

        var result = await _issuer.CreateValidator().ValidateAsync(_issuer.Mint(claims), default);

        Assert.Equal(TokenRejection.WrongAudience, result.Reason);
    }

    [Fact]
    public async Task ValidateAsync_AudienceArrayNamingUs_Valid()
    {
        var claims = _issuer.Claims();
        claims["aud"] = new[] { "someone-else", TestIssuer.Audience };

        Assert.True((await _issuer.CreateValidator().ValidateAsync(_issuer.Mint(claims), default)).IsValid);
    }

    [Fact]
    public async Task ValidateAsync_OtherIssuerWithTheSameKey_RefusedWithoutFetching()
    {
        var claims = _issuer.Claims();
        claims["iss"] = "https://evil.test";

        var result = await _issuer.CreateValidator().ValidateAsync(_issuer.Mint(claims), default);

        Assert.Equal(TokenRejection.UntrustedIssuer, result.Reason);
        Assert.Equal(0, _issuer.JwksFetches);
    }

    [Fact]
    public async Task ValidateAsync_ExpiryAndLeeway_RefusedOnlyPastTheLeeway()
    {
        var token = _issuer.Mint(_issuer.Claims());
        var validator = _issuer.CreateValidator();

        _issuer.Time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(29));
        Assert.True((await validator.ValidateAsync(token, default)).IsValid);
        _issuer.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(TokenRejection.Expired, (await validator.ValidateAsync(token, default)).Reason);
    }

    [Fact]
    public async Task ValidateAsync_NoExp_Refused()
    {
        var claims = _issuer.Claims();
        claims.Remove("exp");

        Assert.Equal(TokenRejection.Expired, (await _issuer.CreateValidator().ValidateAsync(_issuer.Mint(claims), default)).Reason);
    }

    [Fact]
    public async Task ValidateAsync_NotBeforeInTheFuture_Refused()
    {
        var claims = _issuer.Claims();
        claims["nbf"] = _issuer.Time.GetUtcNow().AddMinutes(2).ToUnixTimeSeconds();

        Assert.Equal(TokenRejection.NotYetValid, (await _issuer.CreateValidator().ValidateAsync(_issuer.Mint(claims), default)).Reason);
    }

    [Theory]
    [InlineData(false)]
    [InlineData("true ")]
    [InlineData(null)]
    public async Task ValidateAsync_RequiredClaimOtherOrMissing_Refused(object? value)
    {
        var claims = _issuer.Claims();
        if (value is null)
        {
            claims.Remove("ref_protected");
        }
        else
        {
            claims["ref_protected"] = value;
        }

        Assert.Equal(TokenRejection.RequiredClaimMismatch, (await _issuer.CreateValidator().ValidateAsync(_issuer.Mint(claims), default)).Reason);
    }

    [Theory]
    [InlineData("acme/../admin")]
    [InlineData("acme app")]
    [InlineData("acme:app")]
    [InlineData("robot$ci")]
    [InlineData("acme/*")]
    [InlineData("")]
    public async Task ValidateAsync_ClaimGivingAnInvalidAccount_Refused(string repository)
    {
        var result = await _issuer.CreateValidator().ValidateAsync(_issuer.Mint(_issuer.Claims(repository)), default);

        Assert.Equal(TokenRejection.AccountNotMapped, result.Reason);
    }

    [Fact]
    public async Task ValidateAsync_TamperedClaims_BadSignature()
    {
        var token = _issuer.Mint(_issuer.Claims("acme/app"));
        var forged = _issuer.Mint(_issuer.Claims("acme/other")).Split('.')[1];
        var parts = token.Split('.');

        var result = await _issuer.CreateValidator().ValidateAsync($"{parts[0]}.{forged}.{parts[2]}", default);

        Assert.Equal(TokenRejection.BadSignature, result.Reason);
    }

    [Fact]
    public async Task ValidateAsync_SignedByAnUnpublishedKey_Refused()
    {
        using var stranger = RSA.Create(2048);

        var result = await _issuer.CreateValidator().ValidateAsync(_issuer.Mint(_issuer.Claims(), key: stranger), default);

        Assert.Equal(TokenRejection.BadSignature, result.Reason);
    }

    [Fact]
    public async Task ValidateAsync_AlgorithmOfAnotherKeyType_UnknownKey()
    {
        // An ES256 header naming the RSA key's kid: the key is bound to RS256 and is not tried.
        var token = _issuer.Mint(_issuer.Claims(), "ES256", new() { ["kid"] = _issuer.RsaKid });

        Assert.Equal(TokenRejection.UnknownKey, (await _issuer.CreateValidator().ValidateAsync(token, default)).Reason);
    }

    [Fact]
    public async Task ValidateAsync_UnknownKid_RefetchesOnceThenRateLimited()
    {
        var validator = _issuer.CreateValidator();
        Assert.True((await validator.ValidateAsync(_issuer.Mint(_issuer.Claims()), default)).IsValid);
        Assert.Equal(1, _issuer.JwksFetches);
        _issuer.Time.Advance(TimeSpan.FromSeconds(31));

        for (var i = 0; i < 20; i++)
        {
            var forged = _issuer.Mint(_issuer.Claims(), header: new() { ["kid"] = $"forged-{i}" });
            Assert.Equal(TokenRejection.UnknownKey, (await validator.ValidateAsync(forged, default)).Reason);
        }

        Assert.Equal(2, _issuer.JwksFetches);
    }

    [Fact]
    public async Task ValidateAsync_KeyRotated_NewKeyFetchedWithoutRestartOldRefusedOnceUnpublished()
    {
        var validator = _issuer.CreateValidator();
        var old = _issuer.Mint(_issuer.Claims());
        Assert.True((await validator.ValidateAsync(old, default)).IsValid);

        _issuer.Rotate(keepOld: false);
        _issuer.Time.Advance(TimeSpan.FromSeconds(31));
        var fresh = _issuer.Mint(_issuer.Claims());

        Assert.True((await validator.ValidateAsync(fresh, default)).IsValid);
        Assert.Equal(TokenRejection.UnknownKey, (await validator.ValidateAsync(old, default)).Reason);
    }

    [Fact]
    public async Task ValidateAsync_KeyRotatedKeepingOld_BothValid()
    {
        var validator = _issuer.CreateValidator();
        var old = _issuer.Mint(_issuer.Claims());
        Assert.True((await validator.ValidateAsync(old, default)).IsValid);

        _issuer.Rotate(keepOld: true);
        _issuer.Time.Advance(TimeSpan.FromSeconds(31));

        Assert.True((await validator.ValidateAsync(_issuer.Mint(_issuer.Claims()), default)).IsValid);
        Assert.True((await validator.ValidateAsync(old, default)).IsValid);
    }

    [Fact]
    public async Task ValidateAsync_IssuerDownWithCachedKeys_KeepsValidating()
    {
        var validator = _issuer.CreateValidator();
        Assert.True((await validator.ValidateAsync(_issuer.Mint(_issuer.Claims()), default)).IsValid);
        _issuer.Down = true;
        _issuer.Time.Advance(TimeSpan.FromHours(2));

        var result = await validator.ValidateAsync(_issuer.Mint(_issuer.Claims()), default);

        Assert.True(result.IsValid);
    }

    [Fact]
    public async Task ValidateAsync_IssuerDownAndNoKeys_Unavailable()
    {
        _issuer.Down = true;

        var result = await _issuer.CreateValidator().ValidateAsync(_issuer.Mint(_issuer.Claims()), default);

        Assert.True(result.Unavailable);
        Assert.False(result.IsValid);
        Assert.Equal("ci/acme/app", result.Account);
    }

    [Fact]
    public void Peek_ValidLookingToken_GivesTheCandidateAccountWithoutFetching()
    {
        var peek = _issuer.CreateValidator().Peek(_issuer.Mint(_issuer.Claims("acme/web")));

        Assert.Equal("ci/acme/web", peek.Account);
        Assert.Equal(TestIssuer.Url, peek.Issuer);
        Assert.Equal(0, _issuer.JwksFetches + _issuer.DiscoveryFetches);
    }

    [Fact]
    public async Task PeekAsync_KeyWithdrawnAtRotation_Unpublished()
    {
        var validator = _issuer.CreateValidator();
        var old = _issuer.Mint(_issuer.Claims());
        Assert.Equal(KeyState.Published, (await validator.PeekAsync(old, default)).Key);

        _issuer.Rotate(keepOld: false);
        _issuer.Time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(KeyState.Published, (await validator.PeekAsync(_issuer.Mint(_issuer.Claims()), default)).Key);

        var peek = await validator.PeekAsync(old, default);
        Assert.Equal(KeyState.Unpublished, peek.Key);
        Assert.Equal("ci/acme/app", peek.Validation.Account);
    }

    [Fact]
    public async Task PeekAsync_IssuerDownBeforeAnyFetch_Unknowable()
    {
        _issuer.Down = true;

        Assert.Equal(KeyState.Unknowable, (await _issuer.CreateValidator().PeekAsync(_issuer.Mint(_issuer.Claims()), default)).Key);
    }

    [Fact]
    public async Task PeekAsync_UntrustedIssuer_NotLookedUp()
    {
        var claims = _issuer.Claims();
        claims["iss"] = "https://evil.test";

        var peek = await _issuer.CreateValidator().PeekAsync(_issuer.Mint(claims), default);

        Assert.Equal(KeyState.NotLookedUp, peek.Key);
        Assert.Equal(TokenRejection.UntrustedIssuer, peek.Validation.Reason);
        Assert.Null(peek.Validation.Account);
    }
}
