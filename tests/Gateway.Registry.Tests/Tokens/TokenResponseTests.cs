using System.Text;
using Gateway.Registry.Tokens;
using static Gateway.Registry.Tests.Tokens.TokenTestContext;

namespace Gateway.Registry.Tests.Tokens;

public sealed class TokenResponseTests
{
    [Fact]
    public void ToUtf8Json_Minimal_TokenAccessTokenExpiresInIssuedAt()
    {
        var response = new TokenResponse("t.o.k", 300, new DateTimeOffset(2009, 11, 10, 23, 0, 0, TimeSpan.Zero));

        var json = Encoding.UTF8.GetString(response.ToUtf8Json());

        Assert.Equal("""{"token":"t.o.k","access_token":"t.o.k","expires_in":300,"issued_at":"2009-11-10T23:00:00Z"}""", json);
    }

    [Fact]
    public void ToUtf8Json_RefreshTokenAndScope_Included()
    {
        var response = new TokenResponse("t.o.k", 60, new DateTimeOffset(2030, 1, 1, 1, 0, 0, TimeSpan.FromHours(1)))
        {
            RefreshToken = "rgrt1.abc",
            Scope = "repository:a:pull",
        };

        var json = Encoding.UTF8.GetString(response.ToUtf8Json());

        Assert.Equal("""{"token":"t.o.k","access_token":"t.o.k","expires_in":60,"issued_at":"2030-01-01T00:00:00Z","refresh_token":"rgrt1.abc","scope":"repository:a:pull"}""", json);
    }

    [Fact]
    public void For_IssuedToken_FieldsFromClaims()
    {
        using var context = new TokenTestContext();
        var issued = context.Issuer.Issue("alice", [Scope("repository:a:push,pull"), Scope("repository:b:")]);

        var response = TokenResponse.For(issued, includeScope: true);

        Assert.Equal(issued.Token, response.Token);
        Assert.Equal(issued.Token, response.AccessToken);
        Assert.Equal(300, response.ExpiresIn);
        Assert.Equal("2030-01-01T00:00:00Z", response.IssuedAtText);
        Assert.Equal("repository:a:pull,push", response.Scope);
        Assert.Null(response.RefreshToken);
    }

    [Fact]
    public void For_DockerLogin_EmptyScopeString()
    {
        using var context = new TokenTestContext();

        var response = TokenResponse.For(context.Issuer.Issue("alice", []), includeScope: true);

        Assert.Contains("\"scope\":\"\"", Encoding.UTF8.GetString(response.ToUtf8Json()), StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_ExpiresInUnder60_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenResponse("t", 59, DateTimeOffset.UnixEpoch));
    }

    [Fact]
    public void ToString_NeverShowsTokens()
    {
        var response = new TokenResponse("secret-token", 300, DateTimeOffset.UnixEpoch) { RefreshToken = "secret-refresh" };

        Assert.DoesNotContain("secret", response.ToString(), StringComparison.Ordinal);
    }
}
