using Gateway.Registry.Access;
using System.Text;
using Gateway.Edge.TokenServer;
using Microsoft.AspNetCore.Http;

namespace Gateway.Edge.Tests.TokenServer;

public sealed class TokenRequestReaderTests
{
    private const string Service = "registry.test";

    [Fact]
    public async Task ReadAsync_GetWithBasicAndScopes_PasswordGrantWithEveryScope()
    {
        var context = Get("?service=registry.test&scope=repository:a/b:pull%20repository:c:push&scope=registry:catalog:*&offline_token=true&account=alice", "alice:pw");

        var (request, refusal) = await TokenRequestReader.ReadAsync(context, Service, anonymousAllowed: false);

        Assert.Null(refusal);
        Assert.Equal(TokenGrant.Password, request!.Grant);
        Assert.False(request.IsOAuth);
        Assert.True(request.Offline);
        Assert.Equal("alice", request.Credentials!.UserName);
        Assert.Equal(["repository:a/b:pull", "repository:c:push", "registry:catalog:*"], request.Scopes.Select(s => s.ToString()));
    }

    [Theory]
    [InlineData(false, TokenGrant.None, "unauthenticated")]
    [InlineData(true, TokenGrant.Anonymous, null)]
    public async Task ReadAsync_GetWithoutCredentials_AnonymousOnlyWhenAllowed(bool allowed, TokenGrant grant, string? outcome)
    {
        var (request, refusal) = await TokenRequestReader.ReadAsync(Get("?scope=repository:public/x:pull&offline_token=true", null), Service, allowed);

        Assert.Equal(grant, request?.Grant ?? refusal!.Grant);
        Assert.Equal(outcome, refusal?.Outcome.Label());
        Assert.Equal(outcome is not null, refusal?.Challenge ?? false);
        Assert.False(request?.Offline ?? false); // no refresh token without a login
    }

    [Theory]
    [InlineData("grant_type=password&username=alice", "malformed_credentials", true)]
    [InlineData("grant_type=password&username=a:b&password=x", "malformed_credentials", true)]
    [InlineData("grant_type=refresh_token", "bad_request", false)]
    [InlineData("grant_type=client_credentials", "bad_request", false)]
    [InlineData("grant_type=password&username=alice&password=pw&service=other", "bad_request", false)]
    [InlineData("grant_type=password&username=alice&password=pw&scope=repository:UPPER:pull", "bad_request", false)]
    public async Task ReadAsync_BadForms_RefusedWithTheRightOutcome(string form, string outcome, bool challenge)
    {
        var (request, refusal) = await TokenRequestReader.ReadAsync(Post(form), Service, anonymousAllowed: true);

        Assert.Null(request);
        Assert.Equal(outcome, refusal!.Outcome.Label());
        Assert.Equal(challenge, refusal.Challenge);
    }

    [Fact]
    public async Task ReadAsync_PostRefreshGrant_OAuthWithTheToken()
    {
        var (request, _) = await TokenRequestReader.ReadAsync(Post("grant_type=refresh_token&refresh_token=rgrt1.abc&service=registry.test&client_id=docker"), Service, anonymousAllowed: false);

        Assert.Equal(TokenGrant.RefreshToken, request!.Grant);
        Assert.True(request.IsOAuth);
        Assert.Equal("rgrt1.abc", request.RefreshToken);
        Assert.DoesNotContain("rgrt1", request.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_MoreThanMaxScopes_Refused()
    {
        var scopes = string.Concat(Enumerable.Range(0, TokenService.MaxScopes + 1).Select(i => $"&scope=repository:r{i}:pull"));

        var (_, refusal) = await TokenRequestReader.ReadAsync(Get("?service=registry.test" + scopes, "alice:pw"), Service, anonymousAllowed: false);

        Assert.Equal("bad_request", refusal!.Outcome.Label());
    }

    private static DefaultHttpContext Get(string query, string? basic)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Get;
        context.Request.QueryString = new QueryString(query);
        if (basic is not null)
        {
            context.Request.Headers.Authorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(basic));
        }

        return context;
    }

    private static DefaultHttpContext Post(string form)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Post;
        context.Request.ContentType = "application/x-www-form-urlencoded";
        var body = Encoding.UTF8.GetBytes(form);
        context.Request.Body = new MemoryStream(body);
        context.Request.ContentLength = body.Length;
        return context;
    }
}
