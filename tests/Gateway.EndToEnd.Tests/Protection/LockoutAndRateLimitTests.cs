using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.EndToEnd.Tests.DirectAuth;
using Gateway.EndToEnd.Tests.Infrastructure;
using static Gateway.EndToEnd.Tests.Protection.ProtectedClusterFixture;

namespace Gateway.EndToEnd.Tests.Protection;

/// <summary>Cluster-wide lockouts and rate limits through three nodes, client addresses given by a trusted proxy.</summary>
public sealed class LockoutAndRateLimitTests(ProtectedClusterFixture cluster) : IClassFixture<ProtectedClusterFixture>
{
    private const string Verifications = "gateway_auth_bcrypt_verifications_total";

    [Fact]
    public async Task WrongPasswordsOverThreeNodes_LockThePairAfterExactlyMaxFailures()
    {
        const string user = "lock-a";
        const string attacker = "198.51.100.10";
        var nodes = cluster.Nodes;
        var before = await Metrics.SumAsync(nodes, Verifications);

        for (var i = 0; i < MaxFailures; i++)
        {
            // The failure that reaches the threshold is still answered 401.
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(nodes[i % 3], user, $"wrong-{i}", attacker));
        }

        foreach (var node in nodes)
        {
            // The login check is a 303 to the lock; a pull is a 403 naming it. Neither is retried by any client.
            using var locked = await SendAsync(node, user, Password, attacker);
            using var pull = await SendAsync(node, user, Password, attacker, "/v2/lock-a/app/manifests/v1");
            Assert.Equal(LockedLogin, locked.StatusCode);
            Assert.StartsWith("account-locked:for-this-address-until-", locked.Headers.Location!.OriginalString, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.Forbidden, pull.StatusCode);
            foreach (var answer in new[] { locked, pull })
            {
                Assert.True(answer.Headers.RetryAfter?.Delta is { } delta && delta > TimeSpan.Zero && delta <= LockDuration, $"Retry-After {answer.Headers.RetryAfter}");
                var (code, message) = await ErrorAsync(answer);
                Assert.Equal("DENIED", code);
                Assert.Contains("account locked for this address until", message, StringComparison.Ordinal);
                Assert.Contains($"after {MaxFailures} failed attempts", message, StringComparison.Ordinal);
                Assert.Equal(["registry/2.0"], answer.Headers.GetValues("Docker-Distribution-Api-Version"));
            }
        }

        // The same user from another address is not affected, and a locked pair cost no password check.
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(nodes[1], user, Password, "198.51.100.11"));
        var after = await Metrics.SumAsync(nodes, Verifications);
        Assert.Equal(MaxFailures + 1, after - before);
    }

    [Fact]
    public async Task SameWrongPasswordRepeatedOverThreeNodes_OneFailureOneCheck_RightPasswordWorksAtOnce()
    {
        const string user = "repeat-a";
        const string client = "198.51.100.15";
        var nodes = cluster.Nodes;
        var before = await Metrics.SumAsync(nodes, Verifications);
        var repeatsBefore = await Metrics.SumAsync(nodes, "gateway_auth_cache_lookups_total", "result=\"repeat\"");

        // What containerd's resends and a CI job polling with a stale password look like: 3 × MaxFailures the same guess.
        for (var i = 0; i < 3 * MaxFailures; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(nodes[i % 3], user, "stale-password", client));
        }

        var checks = await Metrics.SumAsync(nodes, Verifications) - before;
        using var admin = nodes[1].CreateClient();
        using var status = await AdminAsync(admin, HttpMethod.Get, $"admin/users/{user}", AdminToken);
        var json = await status.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(1, checks);
        Assert.Equal(1, json.GetProperty("failures").GetInt32());
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(nodes[2], user, Password, client));
        Assert.Equal((3 * MaxFailures) - 1, await Metrics.SumAsync(nodes, "gateway_auth_cache_lookups_total", "result=\"repeat\"") - repeatsBefore);
    }

    [Fact]
    public async Task FiftyConcurrentWrongAttempts_CostAtMostMaxFailuresPasswordChecks()
    {
        const string user = "lock-b";
        const string attacker = "198.51.100.20";
        var nodes = cluster.Nodes;
        var before = await Metrics.SumAsync(nodes, Verifications);

        var statuses = await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
        {
            using var response = await SendAsync(nodes[i % 3], user, $"guess-{i}", attacker);
            return response.StatusCode;
        }));

        var after = await Metrics.SumAsync(nodes, Verifications);
        Assert.True(after - before <= MaxFailures, $"{after - before} password checks for one pair");
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.Unauthorized or LockedLogin, $"unexpected {s}"));
        Assert.True(statuses.Count(s => s == HttpStatusCode.Unauthorized) <= MaxFailures);
        Assert.Equal(LockedLogin, await StatusAsync(nodes[2], user, Password, attacker));
    }

    [Fact]
    public async Task ThreeTimesTheRequestLimitOverThreeNodes_AtMostLimitSucceed()
    {
        const string user = "rate-a";
        var nodes = cluster.Nodes;
        var clients = nodes.Select(n => n.CreateClient()).ToArray();
        try
        {
            var responses = await Task.WhenAll(Enumerable.Range(0, 3 * RequestLimit).Select(async i =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/") { Headers = { Authorization = Basic(user, Password) } };
                request.Headers.TryAddWithoutValidation("X-Forwarded-For", "198.51.100.30");
                using var response = await clients[i % 3].SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                return (response.StatusCode, response.Headers.RetryAfter, body);
            }));

            Assert.Equal(RequestLimit, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
            var refused = responses.Where(r => r.StatusCode != HttpStatusCode.OK).ToList();
            Assert.Equal(2 * RequestLimit, refused.Count);
            Assert.All(refused, r =>
            {
                Assert.Equal((HttpStatusCode)429, r.StatusCode);
                Assert.NotNull(r.RetryAfter);
                Assert.Contains("TOOMANYREQUESTS", r.body, StringComparison.Ordinal);
                Assert.Contains("request rate limit reached", r.body, StringComparison.Ordinal);
            });
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    [Fact]
    public async Task ManifestPulls_CountDownAcrossNodesWithDockerHubHeaders()
    {
        using var temp = TempDirectory.Create();
        var image = await TestImages.CreateOciLayoutAsync(temp.Combine("oci"), "v1", 1024);
        var skopeo = Skopeo.Create(temp);
        (await skopeo.CopyAsync(image.Reference, $"docker://{cluster.Nodes[0].HostPort}/e2e/pulls:v1",
            new SkopeoAccess("pusher", Password, TlsVerify: false), "--preserve-digests")).EnsureSuccess();
        var nodes = cluster.Nodes;
        const string path = "/v2/e2e/pulls/manifests/v1";

        var remaining = new List<string>();
        for (var i = 0; i < PullLimit; i++)
        {
            using var head = await SendManifestAsync(nodes[i % 3], HttpMethod.Head, path);
            using var get = await SendManifestAsync(nodes[(i + 1) % 3], HttpMethod.Get, path);
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal($"{PullLimit};w=600", Assert.Single(get.Headers.GetValues("ratelimit-limit")));
            Assert.Equal("pull-a", Assert.Single(get.Headers.GetValues("docker-ratelimit-source")));
            Assert.Equal($"{PullLimit - i};w=600", Assert.Single(head.Headers.GetValues("ratelimit-remaining")));
            remaining.Add(Assert.Single(get.Headers.GetValues("ratelimit-remaining")));
        }

        Assert.Equal(Enumerable.Range(0, PullLimit).Select(i => $"{PullLimit - 1 - i};w=600"), remaining);
        using var refused = await SendManifestAsync(nodes[2], HttpMethod.Get, path);
        Assert.Equal((HttpStatusCode)429, refused.StatusCode);
        Assert.Equal("0;w=600", Assert.Single(refused.Headers.GetValues("ratelimit-remaining")));
        Assert.NotNull(refused.Headers.RetryAfter);
        var (code, message) = await ErrorAsync(refused);
        Assert.Equal("TOOMANYREQUESTS", code);
        Assert.Contains("pull rate limit reached", message, StringComparison.Ordinal);

        // HEAD is not a pull: still answered, reporting zero left.
        using var headAfter = await SendManifestAsync(nodes[0], HttpMethod.Head, path);
        Assert.Equal(HttpStatusCode.OK, headAfter.StatusCode);
        Assert.Equal("0;w=600", Assert.Single(headAfter.Headers.GetValues("ratelimit-remaining")));
    }

    [Fact]
    public async Task PasswordSprayingFromOneAddress_BlocksIt_AdminShowsAndClearsIt()
    {
        const string sprayer = "198.51.100.40";
        var nodes = cluster.Nodes;

        // A user behind the same address, with a credential already verified and cached.
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(nodes[0], "spray-victim", Password, sprayer));
        for (var i = 0; i < MaxFailuresPerAddress; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(nodes[i % 3], $"sprayed-{i}", "Winter2026!", sprayer));
        }

        // New user names from the address are refused at once; a cached credential within seconds.
        using (var blocked = await SendAsync(nodes[1], "sprayed-new", "anything", sprayer))
        {
            Assert.Equal(LockedLogin, blocked.StatusCode);
            Assert.StartsWith("address-blocked:until-", blocked.Headers.Location!.OriginalString, StringComparison.Ordinal);
            Assert.Contains("this client address is blocked until", (await ErrorAsync(blocked)).Message, StringComparison.Ordinal);
        }

        await Infrastructure.Poll.UntilAsync(async _ => await StatusAsync(nodes[1], "spray-victim", Password, sprayer) == LockedLogin, TimeSpan.FromSeconds(10), "the cached user behind the blocked address to be refused");

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(nodes[1], "spray-victim", Password, "198.51.100.41"));

        using var admin = nodes[2].CreateClient();
        using (var anonymous = await admin.GetAsync($"admin/addresses/{sprayer}"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        using (var wrongToken = await AdminAsync(admin, HttpMethod.Get, $"admin/addresses/{sprayer}", "not-the-admin-token-at-all"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrongToken.StatusCode);
        }

        using (var status = await AdminAsync(admin, HttpMethod.Get, $"admin/addresses/{sprayer}", AdminToken))
        {
            Assert.Equal(HttpStatusCode.OK, status.StatusCode);
            var json = await status.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(sprayer, json.GetProperty("address").GetString());
            Assert.True(json.GetProperty("isBlocked").GetBoolean());
        }

        using (var unblock = await AdminAsync(admin, HttpMethod.Post, $"admin/addresses/{sprayer}/unblock", AdminToken))
        {
            Assert.Equal(HttpStatusCode.OK, unblock.StatusCode);
            Assert.False((await unblock.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("isBlocked").GetBoolean());
        }

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(nodes[0], "spray-victim", Password, sprayer));
    }

    [Fact]
    public async Task MachineAccount_BasicMode_ScopesEnforcedOnEveryNode_BadInputAndRevocation()
    {
        const string client = "198.51.100.60";
        var nodes = cluster.Nodes;
        using var admin = nodes[0].CreateClient();
        using (var badName = await AdminJsonAsync(admin, HttpMethod.Post, "admin/machine-accounts/Bad..Name", """{"scopes":["repository:ci/*:pull"]}"""))
        using (var badScope = await AdminJsonAsync(admin, HttpMethod.Post, "admin/machine-accounts/builder", """{"scopes":["repository:ci/*:fly"]}"""))
        using (var badJson = await AdminJsonAsync(admin, HttpMethod.Post, "admin/machine-accounts/builder", "{\"scopes\":"))
        using (var unknownField = await AdminJsonAsync(admin, HttpMethod.Post, "admin/machine-accounts/builder", """{"scopes":["repository:ci/*:pull"],"admin":true}"""))
        using (var huge = await AdminJsonAsync(admin, HttpMethod.Post, "admin/machine-accounts/builder", "{\"description\":\"" + new string('x', 200_000) + "\"}"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, huge.StatusCode);
            Assert.Contains("larger than", (await ErrorAsync(huge)).Message, StringComparison.Ordinal);
            Assert.Equal(("NAME_INVALID", HttpStatusCode.BadRequest), ((await ErrorAsync(badName)).Code, badName.StatusCode));
            Assert.Equal(HttpStatusCode.BadRequest, badScope.StatusCode);
            Assert.Contains("repository:ci/*:fly", (await ErrorAsync(badScope)).Message, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.BadRequest, badJson.StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, unknownField.StatusCode);
        }

        string secret;
        using (var created = await AdminJsonAsync(admin, HttpMethod.Post, "admin/machine-accounts/builder", """{"scopes":["repository:ci/*:pull,push"],"expiresInDays":7}"""))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            secret = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        }

        using (var allowed = await SendAsync(nodes[1], "robot$builder", secret, client, "/v2/ci/app/tags/list"))
        using (var outside = await SendAsync(nodes[2], "robot$builder", secret, client, "/v2/other/app/tags/list"))
        using (var wrong = await SendAsync(nodes[2], "robot$builder", secret + "x", client))
        {
            Assert.Equal(HttpStatusCode.NotFound, allowed.StatusCode); // forwarded: the registry answers NAME_UNKNOWN
            Assert.Equal("NAME_UNKNOWN", (await ErrorAsync(allowed)).Code);
            Assert.Equal(HttpStatusCode.Forbidden, outside.StatusCode);
            Assert.Equal("DENIED", (await ErrorAsync(outside)).Code);
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using (var revoked = await AdminJsonAsync(admin, HttpMethod.Delete, "admin/machine-accounts/builder", null))
        {
            Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
            Assert.NotEqual(JsonValueKind.Null, (await revoked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("revokedAt").ValueKind);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(nodes[1], "robot$builder", secret, client));
        Assert.DoesNotContain(secret, string.Concat(nodes.Select(n => n.Output)), StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> AdminJsonAsync(HttpClient client, HttpMethod method, string path, string? json)
    {
        using var request = new HttpRequestMessage(method, path) { Headers = { Authorization = new("Bearer", AdminToken) } };
        if (json is not null)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }

        var response = await client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private static async Task<HttpResponseMessage> AdminAsync(HttpClient client, HttpMethod method, string path, string token)
    {
        using var request = new HttpRequestMessage(method, path) { Headers = { Authorization = new("Bearer", token) } };
        return await client.SendAsync(request);
    }

    private static async Task<HttpResponseMessage> SendManifestAsync(GatewayNode node, HttpMethod method, string path)
    {
        using var http = node.CreateClient();
        using var request = new HttpRequestMessage(method, path) { Headers = { Authorization = Basic("pull-a", Password) } };
        request.Headers.TryAddWithoutValidation("Accept", "application/vnd.oci.image.manifest.v1+json");
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "198.51.100.50");
        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private static async Task<(string Code, string Message)> ErrorAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = json.RootElement.GetProperty("errors")[0];
        return (error.GetProperty("code").GetString()!, error.GetProperty("message").GetString()!);
    }
}
