using System.Net;
using System.Net.Http.Headers;
using Gateway.Edge.Tests.Support;
using static Gateway.Edge.Tests.Support.TokenTestClient;
using Gateway.Edge.Tests.TokenServer;

namespace Gateway.Edge.Tests.Authentication;

/// <summary>
/// Machine accounts on the edge: <c>robot$name</c> with its secret is decided by the account's grain (here the
/// double), never by the htpasswd file, and its scopes bound what it may do on top of the ACL.
/// </summary>
public sealed class MachineAccountTests : IAsyncLifetime
{
    private const string Secret = "rgw_0123456789abcdef0123456789abcdef0123456789a";
    private static readonly AuthenticationHeaderValue Robot = EdgeTestHost.Basic("robot$ci", Secret);

    private EdgeTestHost _edge = null!;

    public async Task InitializeAsync()
    {
        _edge = await EdgeTestHost.StartAsync(configure: TokenEndpointTests.TokenSettings);
        _edge.Cache.AddMachineAccount("ci", Secret, "repository:ci/*:pull,push", "repository:base/*:pull");
    }

    public async Task DisposeAsync() => await _edge.DisposeAsync();

    [Theory]
    [InlineData("PUT", "/v2/ci/app/manifests/v1", HttpStatusCode.OK)]
    [InlineData("GET", "/v2/base/alpine/manifests/3", HttpStatusCode.OK)]
    [InlineData("PUT", "/v2/base/alpine/manifests/3", HttpStatusCode.Forbidden)]
    [InlineData("DELETE", "/v2/ci/app/manifests/sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", HttpStatusCode.Forbidden)]
    [InlineData("GET", "/v2/other/app/tags/list", HttpStatusCode.Forbidden)]
    [InlineData("GET", "/v2/", HttpStatusCode.OK)]
    public async Task BasicMode_MachineAccount_ScopesBoundWhatItMayDo(string method, string path, HttpStatusCode expected)
    {
        using var response = await _edge.SendAsync(new HttpMethod(method), path, Robot);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(expected == HttpStatusCode.OK ? 1 : 0, _edge.Backend.Received.Count);
        Assert.Empty(_edge.Cache.Checks);
    }

    [Fact]
    public async Task BasicMode_MachineAccountMountFromOutsideItsScopes_Refused()
    {
        using var response = await _edge.SendAsync(HttpMethod.Post, "/v2/ci/app/blobs/uploads/?mount=sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&from=secret/app", Robot);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(_edge.Backend.Received);
    }

    [Fact]
    public async Task BasicMode_WrongSecretOrRevokedAccount_401LikeAWrongPassword()
    {
        using var wrong = await _edge.SendAsync(HttpMethod.Get, "/v2/", EdgeTestHost.Basic("robot$ci", "rgw_wrong"));
        _edge.Cache.RemoveMachineAccount("ci");
        using var revoked = await _edge.SendAsync(HttpMethod.Get, "/v2/", Robot);

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.Equal($"Basic realm=\"{EdgeTestHost.Realm}\"", Assert.Single(revoked.Headers.WwwAuthenticate).ToString());
        Assert.Empty(_edge.Backend.Received);
    }

    [Fact]
    public async Task TokenEndpoint_MachineAccount_GrantIsWithinItsScopes()
    {
        using var json = await GetAsync(_edge, "scope=repository:ci/app:pull,push&scope=repository:base/alpine:pull,push&scope=repository:other/x:pull", Robot);

        var claims = Claims(_edge, json.RootElement.GetProperty("token").GetString());
        Assert.Equal("robot$ci", claims.Subject);
        Assert.Equal("repository:ci/app:pull,push repository:base/alpine:pull", claims.Access.ToScopeString());
    }

    [Fact]
    public async Task TokenEndpoint_MachineAccountRefreshToken_RefusedOnceTheAccountIsGone()
    {
        var refresh = await RefreshTokenAsync(_edge, Robot);

        using var before = await RefreshAsync(_edge, refresh, "repository:ci/app:pull");
        _edge.Cache.RemoveMachineAccount("ci");
        using var after = await RefreshAsync(_edge, refresh, "repository:ci/app:pull");

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }
}
