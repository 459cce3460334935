using System.Net;
using Gateway.Contracts;
using Gateway.Edge.Tests.Support;
using Gateway.Edge.Tests.TokenServer;

namespace Gateway.Edge.Tests.Authentication;

/// <summary>
/// <c>Gateway:Auth:Anonymous</c>: requests without credentials are the ACL's account <c>""</c> (docker_auth's anonymous
/// access), admitted per client address; everything else still challenges.
/// </summary>
public sealed class AnonymousAccessTests : IAsyncLifetime
{
    private const string Acl = """
        acl:
          - match: {account: "", name: "public/*"}
            actions: [pull]
          - match: {account: ""}
            actions: []
          - match: {account: "/.+/"}
            actions: ["*"]
        """;

    private EdgeTestHost _edge = null!;

    public async Task InitializeAsync() => _edge = await EdgeTestHost.StartAsync(
        new Dictionary<string, string?> { ["Gateway:Auth:Anonymous"] = "true" },
        acl: Acl,
        configure: TokenEndpointTests.TokenSettings);

    public async Task DisposeAsync() => await _edge.DisposeAsync();

    [Fact]
    public async Task BasicMode_PullTheAclGrantsToAnonymous_ForwardedAndAdmittedPerAddress()
    {
        using var response = await _edge.SendAsync(HttpMethod.Get, "/v2/public/alpine/manifests/3");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(_edge.Backend.Received);
        var (principal, admission) = Assert.Single(_edge.Cache.Admissions);
        Assert.Equal(":anonymous:127.0.0.1", principal);
        Assert.Equal(RequestKind.ManifestGet, admission.Kind);
        Assert.Empty(_edge.Cache.Checks);
    }

    [Theory]
    [InlineData("PUT", "/v2/public/alpine/manifests/3")]
    [InlineData("GET", "/v2/private/app/manifests/1")]
    [InlineData("GET", "/v2/")]
    [InlineData("GET", "/v2/_catalog")]
    public async Task BasicMode_AnythingElseWithoutCredentials_BasicChallengeNothingForwarded(string method, string path)
    {
        using var response = await _edge.SendAsync(new HttpMethod(method), path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal($"Basic realm=\"{EdgeTestHost.Realm}\"", Assert.Single(response.Headers.WwwAuthenticate).ToString());
        Assert.Empty(_edge.Backend.Received);
        Assert.Empty(_edge.Cache.Admissions);
    }

    [Fact]
    public async Task BasicMode_WithCredentials_StillTheUsersRights()
    {
        using var response = await _edge.SendAsync(HttpMethod.Put, "/v2/public/alpine/manifests/3", EdgeTestHost.Basic(EdgeTestHost.User, EdgeTestHost.Password));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(_edge.Cache.Checks);
        Assert.Empty(_edge.Cache.Admissions);
    }

    [Fact]
    public async Task BasicMode_AnonymousLimitReached_429NamingTheAddress()
    {
        _edge.Cache.AdmissionAnswer = (_, _) => new CredentialDecision
        {
            Outcome = CredentialOutcome.RateLimited,
            Reason = DenialReason.PullLimit,
            RetryAfter = TimeSpan.FromSeconds(30),
            Limit = 10,
            Window = TimeSpan.FromHours(6),
            Pulls = new PullBudget { Limit = 10, Remaining = 0, Window = TimeSpan.FromHours(6) },
        };

        using var response = await _edge.SendAsync(HttpMethod.Get, "/v2/public/alpine/manifests/3");

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("127.0.0.1", Assert.Single(response.Headers.GetValues("docker-ratelimit-source")));
        Assert.Empty(_edge.Backend.Received);
    }

    [Fact]
    public async Task TokenEndpoint_NoCredentials_AnonymousTokenWithTheAnonymousGrantAndNoRefreshToken()
    {
        using var json = await TokenTestClient.GetAsync(_edge, "offline_token=true&scope=repository:public/alpine:pull,push&scope=repository:private/app:pull", auth: null);

        Assert.False(json.RootElement.TryGetProperty("refresh_token", out _));
        var claims = TokenTestClient.Claims(_edge, json.RootElement.GetProperty("token").GetString());
        Assert.Equal(string.Empty, claims.Subject);
        Assert.Equal("repository:public/alpine:pull", claims.Access.ToScopeString());
        Assert.Equal(":anonymous:127.0.0.1", Assert.Single(_edge.Cache.Admissions).Subject);
    }

    [Fact]
    public async Task Start_AnonymousWithoutAcl_FailsNamingTheKeys()
    {
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => EdgeTestHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Auth:Anonymous"] = "true" }));

        Assert.Contains("Gateway:Auth:Anonymous needs Gateway:Auth:AclFile", ex.ToString(), StringComparison.Ordinal);
    }
}
