using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.EndToEnd.Tests.TokenAuth;

/// <summary>The edge in token mode with real clients: skopeo, the token endpoint, the admin endpoint, over two nodes.</summary>
public sealed class EdgeTokenModeTests(EdgeTokenModeFixture fixture) : IClassFixture<EdgeTokenModeFixture>
{
    /// <summary>What skopeo (containers/image) prints for a 401 with <c>error="insufficient_scope"</c>.</summary>
    private const string Denied = "requested access to the resource is denied";

    [Fact]
    public async Task TokenEndpoint_WrongPasswordPostedThenSentAsGet_CountedAsOneFailure()
    {
        // containerd's fallback: the OAuth2 POST is refused (401), then the same credential goes as GET with Basic.
        using var http = fixture.Client(fixture.A);
        using var post = await http.PostAsync("/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["username"] = "fallback",
            ["password"] = "not-the-password",
            ["service"] = EdgeTokenModeFixture.Service,
            ["client_id"] = "containerd-client",
            ["scope"] = "repository:fallback/app:pull",
        }));
        using var other = fixture.Client(fixture.B);
        using var get = new HttpRequestMessage(HttpMethod.Get, $"/token?service={EdgeTokenModeFixture.Service}&scope=repository:fallback/app:pull")
        {
            Headers = { Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("fallback:not-the-password"))) },
        };
        using var fallback = await other.SendAsync(get);
        using var status = await fixture.AdminAsync(fixture.A, HttpMethod.Get, "/users/fallback");
        using var document = JsonDocument.Parse(await status.Content.ReadAsStringAsync());
        var json = document.RootElement;

        Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, fallback.StatusCode);
        Assert.Contains("unknown user or wrong password", await fallback.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, json.GetProperty("failures").GetInt32());
    }

    [Fact]
    public async Task Skopeo_TokenMode_PushesWhatTheAclAllows_ReadOnlyUserPullsNotPushes()
    {
        using var temp = TempDirectory.Create();
        var image = await TestImages.CreateOciLayoutAsync(temp.Combine("src"), "v1", 4096, 8192);
        var skopeo = Skopeo.Create(temp);
        var alice = new SkopeoAccess("alice", EdgeTokenModeFixture.PasswordOf("alice"), fixture.Pki.CertDirectory);
        var reader = new SkopeoAccess("reader", EdgeTokenModeFixture.PasswordOf("reader"), fixture.Pki.CertDirectory);

        (await skopeo.CopyAsync(image.Reference, $"docker://{fixture.A.HostPort}/alice/app:v1", alice, "--preserve-digests")).EnsureSuccess();
        var back = temp.Combine("back");
        (await skopeo.CopyAsync($"docker://{fixture.B.HostPort}/alice/app:v1", $"oci:{back}:v1", reader, "--dest-oci-accept-uncompressed-layers")).EnsureSuccess();
        var readerPush = await skopeo.CopyAsync(image.Reference, $"docker://{fixture.B.HostPort}/alice/app:v2", reader, "--preserve-digests");
        var foreignPush = await skopeo.CopyAsync(image.Reference, $"docker://{fixture.A.HostPort}/reader/app:v1", alice, "--preserve-digests");

        Assert.Equal(image.ManifestDigest, (await TestImages.ReadOciLayoutAsync(back, "v1")).ManifestDigest);
        Assert.False(readerPush.Succeeded);
        Assert.Contains(Denied, readerPush.Output, StringComparison.Ordinal);
        Assert.False(foreignPush.Succeeded);
        Assert.Contains(Denied, foreignPush.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DockerCli_TokenMode_LoginPushPull_ThroughTheOAuthFlowWithRefreshTokens()
    {
        using var temp = TempDirectory.Create();
        await using var engine = await DockerEngine.StartAsync(temp);
        var oci = await TestImages.CreateOciLayoutAsync(temp.Combine("oci"), "v1", 1024 * 1024, 8192);
        var pushRef = $"{fixture.A.HostPort}/builder/docker:v1";
        var pullRef = $"{fixture.B.HostPort}/builder/docker:v1";
        var archive = temp.Combine("image.tar");
        (await Skopeo.Create(temp).CopyAsync(oci.Reference, $"docker-archive:{archive}:{pushRef}")).EnsureSuccess();
        (await engine.RunCliAsync("load", "-i", archive)).EnsureSuccess();
        var refreshGrantsBefore = await DirectAuth.Metrics.SumAsync(fixture.Cluster.Nodes, "gateway_token_requests_total", "grant=\"refresh_token\"", "outcome=\"issued\"");

        var badLogin = await engine.LoginAsync(fixture.A.HostPort, "builder", "wrong");
        (await engine.LoginAsync(fixture.A.HostPort, "builder", EdgeTokenModeFixture.PasswordOf("builder"))).EnsureSuccess();
        var push = (await engine.RunCliAsync("push", pushRef)).EnsureSuccess();
        (await engine.RunCliAsync("rmi", pushRef)).EnsureSuccess();
        (await engine.LoginAsync(fixture.B.HostPort, "builder", EdgeTokenModeFixture.PasswordOf("builder"))).EnsureSuccess();
        var pull = (await engine.RunCliAsync("pull", pullRef)).EnsureSuccess();
        (await engine.RunCliAsync("tag", pullRef, $"{fixture.A.HostPort}/reader/docker:v1")).EnsureSuccess();
        var foreign = await engine.RunCliAsync("push", $"{fixture.A.HostPort}/reader/docker:v1");
        var refreshGrantsAfter = await DirectAuth.Metrics.SumAsync(fixture.Cluster.Nodes, "gateway_token_requests_total", "grant=\"refresh_token\"", "outcome=\"issued\"");

        Assert.False(badLogin.Succeeded);
        Assert.Equal(Digest(push.Output), Digest(pull.Output));
        Assert.False(foreign.Succeeded);
        Assert.Contains("denied", foreign.Output, StringComparison.OrdinalIgnoreCase);

        // docker login keeps the refresh token (its "identity token"), not the password: push and pull used the refresh grant.
        Assert.True(refreshGrantsAfter > refreshGrantsBefore, $"refresh grants {refreshGrantsBefore} → {refreshGrantsAfter}");
        var config = await File.ReadAllTextAsync(Path.Combine(engine.ConfigDirectory, "config.json"));
        Assert.Contains("identitytoken", config, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("builder:" + EdgeTokenModeFixture.PasswordOf("builder"))), config, StringComparison.Ordinal);

        static string Digest(string output) => System.Text.RegularExpressions.Regex.Match(output, @"[Dd]igest: (sha256:[0-9a-f]{64})").Groups[1].Value is { Length: > 0 } digest
            ? digest
            : throw new Xunit.Sdk.XunitException("no digest in: " + output);
    }

    [Fact]
    public async Task Skopeo_TokenMode_AnonymousPullsPublicImages_NotPrivateOnesNorPushes()
    {
        using var temp = TempDirectory.Create();
        var image = await TestImages.CreateOciLayoutAsync(temp.Combine("src"), "v1", 4096);
        var skopeo = Skopeo.Create(temp);
        var publisher = new SkopeoAccess("publisher", EdgeTokenModeFixture.PasswordOf("publisher"), fixture.Pki.CertDirectory);
        var anonymous = new SkopeoAccess(CertDirectory: fixture.Pki.CertDirectory, Anonymous: true);
        (await skopeo.CopyAsync(image.Reference, $"docker://{fixture.A.HostPort}/public/base:v1", publisher, "--preserve-digests")).EnsureSuccess();
        (await skopeo.CopyAsync(image.Reference, $"docker://{fixture.A.HostPort}/publisher/private:v1", publisher, "--preserve-digests")).EnsureSuccess();

        var pulled = await skopeo.CopyAsync($"docker://{fixture.B.HostPort}/public/base:v1", $"oci:{temp.Combine("public")}:v1", anonymous, "--dest-oci-accept-uncompressed-layers");
        var privatePull = await skopeo.CopyAsync($"docker://{fixture.B.HostPort}/publisher/private:v1", $"oci:{temp.Combine("private")}:v1", anonymous, "--dest-oci-accept-uncompressed-layers");
        var push = await skopeo.CopyAsync(image.Reference, $"docker://{fixture.A.HostPort}/public/base:v2", anonymous, "--preserve-digests");

        pulled.EnsureSuccess();
        Assert.Equal(image.ManifestDigest, (await TestImages.ReadOciLayoutAsync(temp.Combine("public"), "v1")).ManifestDigest);
        Assert.False(privatePull.Succeeded);
        Assert.False(push.Succeeded);
    }

    [Fact]
    public async Task MachineAccount_CreatedThroughAdmin_PushesWithinItsScopes_RevokedOnOtherNodeRefused()
    {
        using var created = await fixture.AdminAsync(fixture.A, HttpMethod.Post, "/machine-accounts/ci-e2e", """{"scopes":["repository:ci/*:pull,push"],"expiresInDays":30,"description":"e2e robot"}""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);
        var username = json.RootElement.GetProperty("username").GetString()!;
        var secret = json.RootElement.GetProperty("secret").GetString()!;
        Assert.Equal("robot$ci-e2e", username);
        Assert.StartsWith("rgw_", secret, StringComparison.Ordinal);

        using var listed = await fixture.AdminAsync(fixture.B, HttpMethod.Get, "/machine-accounts");
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        var list = await listed.Content.ReadAsStringAsync();
        Assert.Contains("\"name\":\"ci-e2e\"", list, StringComparison.Ordinal);
        Assert.Contains("\"description\":\"e2e robot\"", list, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, list, StringComparison.Ordinal);

        using var again = await fixture.AdminAsync(fixture.B, HttpMethod.Post, "/machine-accounts/ci-e2e", """{"scopes":["repository:ci/*:pull"]}""");
        using var shown = await fixture.AdminAsync(fixture.B, HttpMethod.Get, "/machine-accounts/ci-e2e");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        Assert.DoesNotContain(secret, await shown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var stored = await fixture.RedisContentsAsync();
        Assert.Contains("ci-e2e", stored, StringComparison.Ordinal); // the account's state is in Redis…
        Assert.DoesNotContain(secret, stored, StringComparison.Ordinal); // …without its secret
        Assert.DoesNotContain(secret["rgw_".Length..], stored, StringComparison.Ordinal);

        using var temp = TempDirectory.Create();
        var image = await TestImages.CreateOciLayoutAsync(temp.Combine("src"), "v1", 4096);
        var skopeo = Skopeo.Create(temp);
        var robot = new SkopeoAccess(username, secret, fixture.Pki.CertDirectory);
        (await skopeo.CopyAsync(image.Reference, $"docker://{fixture.A.HostPort}/ci/app:v1", robot, "--preserve-digests")).EnsureSuccess();
        var outside = await skopeo.CopyAsync(image.Reference, $"docker://{fixture.A.HostPort}/alice/robot:v1", robot, "--preserve-digests");
        Assert.False(outside.Succeeded);
        Assert.Contains(Denied, outside.Output, StringComparison.Ordinal);

        // A token obtained before the revocation stops working on the other node too.
        var token = await TokenAsync(fixture.A, username, secret, "repository:ci/app:pull");
        using var deleted = await fixture.AdminAsync(fixture.B, HttpMethod.Delete, "/machine-accounts/ci-e2e");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        using var withToken = await BearerAsync(fixture.A, "/v2/ci/app/tags/list", token);
        var afterRevoke = await skopeo.CopyAsync(image.Reference, $"docker://{fixture.B.HostPort}/ci/app:v2", robot, "--preserve-digests");

        Assert.Equal(HttpStatusCode.Unauthorized, withToken.StatusCode);
        Assert.Contains("error=\"invalid_token\"", withToken.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.False(afterRevoke.Succeeded);
        Assert.DoesNotContain(secret, fixture.A.Output + fixture.B.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevokeTokens_RefreshAndAccessTokensIssuedBefore_RefusedOnEveryNode_NewLoginWorks()
    {
        using var http = fixture.Client(fixture.A);
        using var login = await GetTokenResponseAsync(fixture.A, "revoked", EdgeTokenModeFixture.PasswordOf("revoked"), "repository:revoked/app:pull", offline: true);
        var access = login.RootElement.GetProperty("token").GetString()!;
        var refresh = login.RootElement.GetProperty("refresh_token").GetString()!;
        using var before = await BearerAsync(fixture.B, "/v2/revoked/app/tags/list", access);
        using var refreshedBefore = await RefreshAsync(fixture.B, refresh);

        using var revoke = await fixture.AdminAsync(fixture.B, HttpMethod.Post, "/users/revoked/revoke-tokens");
        using var accessAfter = await BearerAsync(fixture.A, "/v2/revoked/app/tags/list", access);
        using var refreshAfter = await RefreshAsync(fixture.A, refresh);
        await Task.Delay(TimeSpan.FromSeconds(1.1)); // tokens carry whole seconds: one from the revocation's second is refused too
        var fresh = await TokenAsync(fixture.A, "revoked", EdgeTokenModeFixture.PasswordOf("revoked"), "repository:revoked/app:pull");
        using var freshUse = await BearerAsync(fixture.B, "/v2/revoked/app/tags/list", fresh);

        Assert.NotEqual(HttpStatusCode.Unauthorized, before.StatusCode); // the registry answers (404 NAME_UNKNOWN): it was forwarded
        Assert.Equal(HttpStatusCode.OK, refreshedBefore.StatusCode);
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, accessAfter.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refreshAfter.StatusCode);
        Assert.Contains("UNAUTHORIZED", await refreshAfter.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.NotEqual(HttpStatusCode.Unauthorized, freshUse.StatusCode);
    }

    [Fact]
    public async Task RateLimit_TokenRequestsOverTwoNodes_ExactlyTheLimitPasses()
    {
        var token = await TokenAsync(fixture.A, "limited", EdgeTokenModeFixture.PasswordOf("limited"), "repository:limited/app:pull");
        var statuses = new List<HttpStatusCode>();
        using var a = fixture.Client(fixture.A);
        using var b = fixture.Client(fixture.B);
        var tasks = Enumerable.Range(0, EdgeTokenModeFixture.RequestLimit + 20).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/limited/app/tags/list") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };
            using var response = await (i % 2 == 0 ? a : b).SendAsync(request);
            return (response.StatusCode, RetryAfter: response.Headers.RetryAfter?.Delta);
        });

        var results = await Task.WhenAll(tasks);

        // The token request itself counted as one of the user's requests.
        Assert.Equal(EdgeTokenModeFixture.RequestLimit - 1, results.Count(r => r.StatusCode != HttpStatusCode.TooManyRequests));
        Assert.All(results.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests), r => Assert.True(r.RetryAfter > TimeSpan.Zero));
        Assert.DoesNotContain(results, r => r.StatusCode == HttpStatusCode.Unauthorized);
    }

    private async Task<JsonDocument> GetTokenResponseAsync(GatewayNode node, string user, string password, string scope, bool offline = false)
    {
        using var http = fixture.Client(node);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/token?service={EdgeTokenModeFixture.Service}&scope={Uri.EscapeDataString(scope)}{(offline ? "&offline_token=true" : string.Empty)}")
        {
            Headers = { Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{user}:{password}"))) },
        };
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    private async Task<string> TokenAsync(GatewayNode node, string user, string password, string scope)
    {
        using var json = await GetTokenResponseAsync(node, user, password, scope);
        return json.RootElement.GetProperty("token").GetString()!;
    }

    private async Task<HttpResponseMessage> BearerAsync(GatewayNode node, string path, string token)
    {
        using var http = fixture.Client(node);
        using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };
        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private async Task<HttpResponseMessage> RefreshAsync(GatewayNode node, string refresh)
    {
        using var http = fixture.Client(node);
        var response = await http.PostAsync("/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refresh,
            ["service"] = EdgeTokenModeFixture.Service,
            ["client_id"] = "e2e",
        }));
        await response.Content.LoadIntoBufferAsync();
        return response;
    }
}
