using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Gateway.Edge.Tests.Support;
using Gateway.Registry.Access;
using Gateway.Registry.Tokens;

namespace Gateway.Edge.Tests.TokenServer;

/// <summary>The token endpoint (<c>Gateway:Token</c>) on a real edge, with the ACL of <see cref="Authorization.AclEnforcementTests"/>.</summary>
public sealed class TokenEndpointTests : IAsyncLifetime
{
    public const string Service = "registry.test";
    public const string Issuer = "gateway.test";

    private static readonly AuthenticationHeaderValue Alice = EdgeTestHost.Basic(EdgeTestHost.User, EdgeTestHost.Password);

    private EdgeTestHost _edge = null!;
    private TokenSigningKey _key = null!;

    public async Task InitializeAsync()
    {
        _edge = await EdgeTestHost.StartAsync(
            users: new Dictionary<string, string> { ["reader"] = "r34der" },
            acl: Authorization.AclEnforcementTests.Acl,
            configure: TokenSettings);
        _key = TokenSigningKey.Load(Path.Combine(_edge.Folder, "token.key"), null).Key!;
    }

    public async Task DisposeAsync()
    {
        _key?.Dispose();
        await _edge.DisposeAsync();
    }

    /// <summary>Writes a P-256 key into the host's folder and configures the token server with it.</summary>
    internal static void TokenSettings(string folder, IDictionary<string, string?> config)
    {
        var keyPath = Path.Combine(folder, "token.key");
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        File.WriteAllText(keyPath, ec.ExportPkcs8PrivateKeyPem());
        config["Gateway:Token:SigningKey"] = keyPath;
        config["Gateway:Token:Issuer"] = Issuer;
        config["Gateway:Token:Service"] = Service;
    }

    [Fact]
    public async Task Get_RepeatedAndSpaceSeparatedScopes_GrantsAclIntersection()
    {
        using var response = await _edge.SendAsync(HttpMethod.Get,
            $"/token?service={Service}&account=alice&client_id=test&scope=repository:alice/app:pull,push%20repository:shared/base:pull,push&scope=registry:catalog:*&scope=repository:reader/x:pull",
            Alice);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        var token = root.GetProperty("token").GetString();
        Assert.Equal(token, root.GetProperty("access_token").GetString());
        Assert.Equal(300, root.GetProperty("expires_in").GetInt32());
        Assert.True(DateTimeOffset.TryParse(root.GetProperty("issued_at").GetString(), out _));
        Assert.False(root.TryGetProperty("refresh_token", out _));

        var claims = Validate(token);
        Assert.Equal("alice", claims.Subject);
        Assert.Equal(Service, claims.Audience);
        Assert.True(claims.Access.Allows(Scope("repository:alice/app:pull,push")));
        Assert.True(claims.Access.Allows(Scope("repository:shared/base:pull")));
        Assert.False(claims.Access.Allows(Scope("repository:shared/base:push")));
        Assert.False(claims.Access.Allows(Scope("registry:catalog:*")));
        Assert.False(claims.Access.Allows(Scope("repository:reader/x:pull")));
        Assert.Equal(RequestKindOther, Assert.Single(_edge.Cache.Checks).Check.Kind.ToString());
        Assert.Empty(_edge.Backend.Received);
    }

    private const string RequestKindOther = "Other";

    [Fact]
    public async Task Get_NoScope_IsLoginTokenWithNoAccess()
    {
        using var response = await _edge.SendAsync(HttpMethod.Get, $"/token?service={Service}", Alice);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(Validate(await TokenOf(response)).Access.Entries);
    }

    [Fact]
    public async Task OfflineToken_RefreshGivesWorkingToken_PasswordChangeRevokesIt()
    {
        using var first = await _edge.SendAsync(HttpMethod.Get, $"/token?service={Service}&offline_token=true&client_id=test", Alice);
        using var firstJson = JsonDocument.Parse(await first.Content.ReadAsStringAsync());
        var refresh = firstJson.RootElement.GetProperty("refresh_token").GetString()!;

        using var refreshed = await PostAsync(new() { ["grant_type"] = "refresh_token", ["refresh_token"] = refresh, ["service"] = Service, ["client_id"] = "test", ["scope"] = "repository:alice/app:pull repository:reader/x:push" });
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        using var json = JsonDocument.Parse(await refreshed.Content.ReadAsStringAsync());
        Assert.Equal("repository:alice/app:pull", json.RootElement.GetProperty("scope").GetString());
        var claims = Validate(json.RootElement.GetProperty("access_token").GetString());
        Assert.Equal("alice", claims.Subject);
        Assert.True(claims.Access.Allows(Scope("repository:alice/app:pull")));

        await File.WriteAllTextAsync(_edge.HtpasswdPath, $"alice:{BCrypt.Net.BCrypt.HashPassword("new-password", 4)}\n");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            using var again = await PostAsync(new() { ["grant_type"] = "refresh_token", ["refresh_token"] = refresh, ["service"] = Service, ["client_id"] = "test" });
            if (again.StatusCode == HttpStatusCode.Unauthorized)
            {
                Assert.Equal("UNAUTHORIZED", await ErrorCodeAsync(again));
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, "the refresh token still works after the password changed");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task PostPassword_OfflineGivesRefreshTokenAndScope()
    {
        using var response = await PostAsync(new() { ["grant_type"] = "password", ["username"] = "alice", ["password"] = EdgeTestHost.Password, ["service"] = Service, ["client_id"] = "docker", ["access_type"] = "offline", ["scope"] = "repository:alice/app:push" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.StartsWith(RefreshTokenCodec.Prefix, json.RootElement.GetProperty("refresh_token").GetString(), StringComparison.Ordinal);
        Assert.Equal("repository:alice/app:push", json.RootElement.GetProperty("scope").GetString());
    }

    [Fact]
    public async Task BadCredentials_Get401WithBasicChallenge()
    {
        using var wrong = await _edge.SendAsync(HttpMethod.Get, $"/token?service={Service}", EdgeTestHost.Basic("alice", "nope"));
        using var none = await _edge.SendAsync(HttpMethod.Get, $"/token?service={Service}");
        using var wrongPost = await PostAsync(new() { ["grant_type"] = "password", ["username"] = "alice", ["password"] = "nope", ["service"] = Service, ["client_id"] = "docker" });

        foreach (var response in new[] { wrong, none, wrongPost })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal($"Basic realm=\"{EdgeTestHost.Realm}\"", Assert.Single(response.Headers.WwwAuthenticate).ToString());
            Assert.Equal("UNAUTHORIZED", await ErrorCodeAsync(response));
            Assert.DoesNotContain("token", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("scope=repository:alice/app:PULL")]
    [InlineData("scope=repository:alice/app")]
    [InlineData("scope=repository:alice/app:pull%20%20repository:x:pull")]
    [InlineData("service=another.registry")]
    [InlineData("account=bob")]
    public async Task Get_BadInput_Returns400(string query)
    {
        using var response = await _edge.SendAsync(HttpMethod.Get, $"/token?{query}", Alice);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("UNSUPPORTED", await ErrorCodeAsync(response));
    }

    [Fact]
    public async Task Get_TooManyScopes_Returns400()
    {
        var scopes = string.Join('&', Enumerable.Range(0, 65).Select(i => $"scope=repository:alice/r{i}:pull"));
        using var response = await _edge.SendAsync(HttpMethod.Get, $"/token?{scopes}", Alice);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("authorization_code")]
    [InlineData("client_credentials")]
    [InlineData("")]
    public async Task Post_UnsupportedGrantType_Returns400(string grant)
    {
        using var response = await PostAsync(new() { ["grant_type"] = grant, ["service"] = Service, ["client_id"] = "x" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("UNSUPPORTED", await ErrorCodeAsync(response));
    }

    [Fact]
    public async Task Post_TamperedRefreshToken_Returns401()
    {
        using var response = await PostAsync(new() { ["grant_type"] = "refresh_token", ["refresh_token"] = RefreshTokenCodec.Prefix + "AAAA", ["service"] = Service, ["client_id"] = "x" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Start_UnusableKey_FailsNamingTheKey()
    {
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => EdgeTestHost.StartAsync(configure: (folder, config) =>
        {
            TokenSettings(folder, config);
            File.WriteAllText(config["Gateway:Token:SigningKey"]!, "not a key");
        }));

        Assert.Contains("Gateway:Token:SigningKey", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_TokenModeWithoutSigningKey_FailsNamingTheKeys()
    {
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => EdgeTestHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Auth:Mode"] = "token" }));

        Assert.Contains("Gateway:Token:SigningKey", ex.ToString(), StringComparison.Ordinal);
    }

    private static AccessScope Scope(string text) => AccessScope.TryParse(text, out var scope) ? scope : throw new ArgumentException(text);

    private TokenClaims Validate(string? token)
    {
        var options = new RegistryTokenOptions { Issuer = Issuer, Service = Service };
        var result = new RegistryTokenValidator(_key, options, TimeProvider.System).Validate(token);
        Assert.Equal(TokenValidationStatus.Valid, result.Status);
        return result.Claims!;
    }

    private static async Task<string> TokenOf(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("token").GetString()!;
    }

    private Task<HttpResponseMessage> PostAsync(Dictionary<string, string> form) =>
        _edge.SendAsync(HttpMethod.Post, "/token", configure: r => r.Content = new FormUrlEncodedContent(form));

    private static async Task<string> ErrorCodeAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("errors")[0].GetProperty("code").GetString()!;
    }
}
