using System.Net;
using System.Net.Http.Headers;
using Gateway.Edge.Tests.Support;
using static Gateway.Edge.Tests.Support.TokenTestClient;

namespace Gateway.Edge.Tests.TokenServer;

/// <summary><c>Gateway:Auth:Mode=token</c>: Bearer challenges, the edge validates its own tokens and forwards them.</summary>
public sealed class TokenModeTests : IAsyncLifetime
{
    private EdgeTestHost _edge = null!;

    public async Task InitializeAsync() => _edge = await EdgeTestHost.StartAsync(
        new Dictionary<string, string?> { ["Gateway:Auth:Mode"] = "token" },
        acl: Authorization.AclEnforcementTests.Acl,
        configure: TokenEndpointTests.TokenSettings);

    public async Task DisposeAsync() => await _edge.DisposeAsync();

    [Fact]
    public async Task NoToken_BearerChallengeWithScope()
    {
        using var response = await _edge.SendAsync(HttpMethod.Put, "/v2/alice/app/manifests/v1");
        using var basic = await _edge.SendAsync(HttpMethod.Get, "/v2/", EdgeTestHost.Basic(EdgeTestHost.User, EdgeTestHost.Password));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(
            $"Bearer realm=\"{_edge.BaseAddress.ToString().TrimEnd('/')}/token\",service=\"{TokenEndpointTests.Service}\",scope=\"repository:alice/app:pull,push\"",
            Assert.Single(response.Headers.GetValues("WWW-Authenticate")));
        Assert.Equal(HttpStatusCode.Unauthorized, basic.StatusCode);
        Assert.Equal($"Bearer realm=\"{_edge.BaseAddress.ToString().TrimEnd('/')}/token\",service=\"{TokenEndpointTests.Service}\"", Assert.Single(basic.Headers.GetValues("WWW-Authenticate")));
        Assert.Empty(_edge.Backend.Received);
    }

    [Fact]
    public async Task ValidToken_IsForwardedWithTheToken_InsufficientScopeIs401()
    {
        var token = await TokenAsync(_edge, "repository:alice/app:pull,push repository:shared/base:pull,push");

        using var push = await _edge.SendAsync(HttpMethod.Put, "/v2/alice/app/manifests/v1", new AuthenticationHeaderValue("Bearer", token));
        using var ping = await _edge.SendAsync(HttpMethod.Get, "/v2/", new AuthenticationHeaderValue("Bearer", token));
        using var denied = await _edge.SendAsync(HttpMethod.Put, "/v2/shared/base/manifests/v1", new AuthenticationHeaderValue("Bearer", token));

        Assert.Equal(HttpStatusCode.OK, push.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        Assert.Equal("Bearer " + token, _edge.Backend.Received.First().Headers["Authorization"]);
        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        Assert.EndsWith(",scope=\"repository:shared/base:pull,push\",error=\"insufficient_scope\",error_description=\"requested access to the resource is denied: push on repository shared/base\"", Assert.Single(denied.Headers.GetValues("WWW-Authenticate")), StringComparison.Ordinal);
        Assert.Equal(2, _edge.Backend.Received.Count);

        // As registry 2.8: UNAUTHORIZED with the access records as detail (here the refused one), and the cause named.
        using var json = System.Text.Json.JsonDocument.Parse(await denied.Content.ReadAsStringAsync());
        var error = json.RootElement.GetProperty("errors")[0];
        Assert.Equal("UNAUTHORIZED", error.GetProperty("code").GetString());
        Assert.Equal("requested access to the resource is denied: push on repository shared/base", error.GetProperty("message").GetString());
        Assert.Equal("""[{"Type":"repository","Class":"","Name":"shared/base","Action":"push"}]""", error.GetProperty("detail").GetRawText());
    }

    [Fact]
    public async Task NoToken_401ListsTheRequestedAccessAsTheRegistryDoes()
    {
        using var response = await _edge.SendAsync(HttpMethod.Get, "/v2/alice/app/tags/list");

        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = json.RootElement.GetProperty("errors")[0];
        Assert.Equal("authentication required", error.GetProperty("message").GetString());
        Assert.Equal("""[{"Type":"repository","Class":"","Name":"alice/app","Action":"pull"}]""", error.GetProperty("detail").GetRawText());
    }

    [Theory]
    [InlineData("not.a.token")]
    [InlineData("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJpc3MiOiJnYXRld2F5LnRlc3QiLCJhdWQiOiJyZWdpc3RyeS50ZXN0IiwiZXhwIjo5OTk5OTk5OTk5fQ.")]
    public async Task BadToken_InvalidToken(string token)
    {
        using var response = await _edge.SendAsync(HttpMethod.Get, "/v2/alice/app/tags/list", new AuthenticationHeaderValue("Bearer", token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.EndsWith(",error=\"invalid_token\"", Assert.Single(response.Headers.GetValues("WWW-Authenticate")), StringComparison.Ordinal);
        Assert.Empty(_edge.Backend.Received);
    }

    [Fact]
    public async Task TamperedSignature_InvalidToken()
    {
        var token = await TokenAsync(_edge, "repository:alice/app:pull");
        var tampered = token[..^4] + (token[^4] == 'A' ? "B" : "A") + token[^3..];

        using var response = await _edge.SendAsync(HttpMethod.Get, "/v2/alice/app/tags/list", new AuthenticationHeaderValue("Bearer", tampered));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(_edge.Backend.Received);
    }
}
