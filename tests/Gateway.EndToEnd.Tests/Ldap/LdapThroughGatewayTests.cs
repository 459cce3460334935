using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Gateway.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Gateway.EndToEnd.Tests.Ldap;

/// <summary>
/// LDAP identities through the gateway cluster against real slapd servers: real clients, groups in the ACL, binds
/// counted in slapd's log, an outage, a failover. Each test uses users no other test of the class uses (lockouts and
/// caches are per user), so the order does not matter.
/// </summary>
public sealed partial class LdapThroughGatewayTests(LdapClusterFixture cluster, ITestOutputHelper output) : IClassFixture<LdapClusterFixture>
{
    [Fact]
    public async Task Skopeo_CiMemberPushesThroughOneNodeAndPullsThroughAnother_NonMemberIsDenied()
    {
        using var temp = TempDirectory.Create();
        var image = await TestImages.CreateOciLayoutAsync(temp.Combine("src"), "v1", 256 * 1024, 4096);
        var skopeo = Skopeo.Create(temp);
        var alice = new SkopeoAccess("alice", "alice-pw", cluster.Pki.CertDirectory);
        var bob = new SkopeoAccess("bob", "bob-pw", cluster.Pki.CertDirectory);

        var push = await skopeo.CopyAsync(image.Reference, $"docker://{cluster.Cluster[0].HostPort}/ci/app:v1", alice, "--preserve-digests");
        var back = temp.Combine("back");
        var pull = await skopeo.CopyAsync($"docker://{cluster.Cluster[1].HostPort}/ci/app:v1", $"oci:{back}:v1", bob, "--dest-oci-accept-uncompressed-layers");
        var denied = await skopeo.CopyAsync(image.Reference, $"docker://{cluster.Cluster[1].HostPort}/ci/bob:v1", bob, "--preserve-digests");

        push.EnsureSuccess();
        pull.EnsureSuccess();
        Assert.Equal(image.ManifestDigest, (await TestImages.ReadOciLayoutAsync(back, "v1")).ManifestDigest);
        Assert.False(denied.Succeeded);
        Assert.Contains("denied", denied.Output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task DockerCli_CiMemberLogsInPushesThroughOneNodeAndPullsThroughAnother_NonMemberIsDenied()
    {
        using var temp = TempDirectory.Create();
        await using var engine = await DockerEngine.StartAsync(temp);
        var oci = await TestImages.CreateOciLayoutAsync(temp.Combine("oci"), "v1", 256 * 1024, 4096);
        var pushRef = $"{cluster.Cluster[0].HostPort}/ci/docker:v1";
        var pullRef = $"{cluster.Cluster[1].HostPort}/ci/docker:v1";
        var archive = temp.Combine("image.tar");
        (await Skopeo.Create(temp).CopyAsync(oci.Reference, $"docker-archive:{archive}:{pushRef}")).EnsureSuccess();
        (await engine.RunCliAsync("load", "-i", archive)).EnsureSuccess();

        var badLogin = await engine.LoginAsync(cluster.Cluster[0].HostPort, "alice", "not-alice-pw");
        (await engine.LoginAsync(cluster.Cluster[0].HostPort, "alice", "alice-pw")).EnsureSuccess();
        var push = (await engine.RunCliAsync("push", pushRef)).EnsureSuccess();
        (await engine.RunCliAsync("rmi", pushRef)).EnsureSuccess();
        (await engine.LoginAsync(cluster.Cluster[1].HostPort, "alice", "alice-pw")).EnsureSuccess();
        var pull = (await engine.RunCliAsync("pull", pullRef)).EnsureSuccess();
        (await engine.LoginAsync(cluster.Cluster[1].HostPort, "bob", "bob-pw")).EnsureSuccess();
        (await engine.RunCliAsync("tag", pullRef, $"{cluster.Cluster[1].HostPort}/ci/bob-docker:v1")).EnsureSuccess();
        var denied = await engine.RunCliAsync("push", $"{cluster.Cluster[1].HostPort}/ci/bob-docker:v1");

        Assert.False(badLogin.Succeeded);
        Assert.Contains("401", badLogin.Output, StringComparison.Ordinal);
        var pushed = DockerDigest().Match(push.Output).Groups[1].Value;
        Assert.StartsWith("sha256:", pushed, StringComparison.Ordinal);
        Assert.Equal(pushed, DockerDigest().Match(pull.Output).Groups[1].Value);
        Assert.False(denied.Succeeded);
        Assert.Contains("denied", denied.Output, StringComparison.OrdinalIgnoreCase);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"[Dd]igest: (sha256:[0-9a-f]{64})")]
    private static partial System.Text.RegularExpressions.Regex DockerDigest();

    [Fact]
    public async Task Upload_NonMemberToCi_403DeniedNamingTheAccess_MemberOfAnotherGroupUsesItsTeamNamespace()
    {
        using var client = cluster.Cluster[2].CreateClient();

        using var bob = await SendAsync(client, HttpMethod.Post, "/v2/ci/denied/blobs/uploads/", "bob", "bob-pw");
        using var carol = await SendAsync(client, HttpMethod.Post, "/v2/web-team/app/blobs/uploads/", "carol", "carol-pw");

        Assert.Equal(HttpStatusCode.Forbidden, bob.StatusCode);
        var body = await bob.Content.ReadAsStringAsync();
        Assert.Equal("DENIED", JsonDocument.Parse(body).RootElement.GetProperty("errors")[0].GetProperty("code").GetString());
        Assert.Contains("push on repository ci/denied", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Accepted, carol.StatusCode);
    }

    [Fact]
    public async Task WrongPasswordAndUnknownUser_AnswerExactlyAsAnHtpasswdUsersWrongPassword()
    {
        using var client = cluster.Cluster[0].CreateClient();

        using var wrong = await SendAsync(client, HttpMethod.Get, "/v2/", "wrong-pw", "not-it");
        using var unknown = await SendAsync(client, HttpMethod.Get, "/v2/", "nobody-in-ldap", "whatever");
        using var htpasswd = await SendAsync(client, HttpMethod.Get, "/v2/", LdapClusterFixture.LocalUser, "not-it");
        using var local = await SendAsync(client, HttpMethod.Get, "/v2/", LdapClusterFixture.LocalUser, LdapClusterFixture.LocalPassword);

        foreach (var response in new[] { wrong, unknown, htpasswd })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal(await htpasswd.Content.ReadAsStringAsync(), await response.Content.ReadAsStringAsync());
            Assert.Equal(htpasswd.Headers.WwwAuthenticate.ToString(), response.Headers.WwwAuthenticate.ToString());
        }

        Assert.Equal(HttpStatusCode.OK, local.StatusCode);
    }

    [Fact]
    public async Task FiftyUsersTwentyRequestsOverThreeNodes_AtMostOneUserBindEach()
    {
        var clients = cluster.Cluster.Nodes.Select(n => n.CreateClient()).ToArray();
        var binds = await cluster.SuccessfulUserBindsAsync();
        var serviceBinds = await cluster.BindsOfAsync(Infrastructure.LdapDirectory.ServiceDn);
        var statuses = new List<HttpStatusCode>();
        var watch = Stopwatch.StartNew();
        try
        {
            // Round after round, every user's requests spread over the nodes, 10 at a time; the first round races while
            // the cache is cold (concurrent first requests of a user coalesce into one verification).
            for (var round = 0; round < 20; round++)
            {
                for (var batch = 0; batch < LdapClusterFixture.LoadUsers; batch += 10)
                {
                    var requests = Enumerable.Range(batch, 10).Select(async i =>
                    {
                        var user = LdapClusterFixture.LoadUser(i);
                        using var response = await SendAsync(clients[(i + round) % clients.Length], HttpMethod.Get, "/v2/", user, user + "-pw");
                        return response.StatusCode;
                    });
                    statuses.AddRange(await Task.WhenAll(requests));
                }
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }

        var elapsed = watch.Elapsed;
        var userBinds = await cluster.SuccessfulUserBindsAsync() - binds;
        var service = await cluster.BindsOfAsync(Infrastructure.LdapDirectory.ServiceDn) - serviceBinds;
        output.WriteLine(
            $"{statuses.Count} requests ({LdapClusterFixture.LoadUsers} users x 20, 3 nodes) in {elapsed.TotalSeconds:0.0} s: " +
            $"{userBinds} successful user binds ({(double)userBinds / statuses.Count:0.000} per request), {service} service-account binds; " +
            $"docker_auth's model (connect, service bind, search, user bind, service bind again per authentication) would make " +
            $"{statuses.Count} user binds and {2 * statuses.Count} service binds (1 + 2 per request).");
        output.WriteLine(cluster.LdapProblems());
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.InRange(userBinds, LdapClusterFixture.LoadUsers, LdapClusterFixture.LoadUsers);
    }

    [Fact]
    public async Task SprayOfWrongPasswords_ReachesTheDirectoryAtMostMaxFailuresTimes()
    {
        const int MaxFailures = 5; // Gateway:Lockout:MaxFailures, the default
        const string user = "spray";
        var dn = Infrastructure.LdapDirectory.UserDn(user);
        var before = await cluster.BindsOfAsync(dn);
        var clients = cluster.Cluster.Nodes.Select(n => n.CreateClient()).ToArray();
        var statuses = new List<HttpStatusCode>();
        try
        {
            for (var i = 0; i < 200; i += 10)
            {
                var requests = Enumerable.Range(i, 10).Select(async n =>
                {
                    using var response = await SendAsync(clients[n % clients.Length], HttpMethod.Get, "/v2/", user, $"guess-{n}");
                    return response.StatusCode;
                });
                statuses.AddRange(await Task.WhenAll(requests));
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }

        var binds = await cluster.BindsOfAsync(dn) - before;
        output.WriteLine(cluster.LdapProblems());
        output.WriteLine($"200 wrong passwords for {user} over 3 nodes: {binds} binds reached the directory; answers: {string.Join(", ", statuses.GroupBy(s => s).Select(g => $"{(int)g.Key} x{g.Count()}"))}");
        Assert.DoesNotContain(HttpStatusCode.OK, statuses);
        Assert.InRange(binds, 1, MaxFailures);
    }

    [Fact]
    public async Task FirstServerStopped_LoginsGoToTheSecond()
    {
        const string user = "failover";
        var dn = Infrastructure.LdapDirectory.UserDn(user);
        await cluster.Primary.StopAsync();
        try
        {
            await cluster.Secondary.SettleAsync();
            var before = cluster.Secondary.BindsOf(dn);
            using var client = cluster.Cluster[1].CreateClient();
            var (status, elapsed) = await FirstAnsweredLoginAsync(client, user);
            output.WriteLine($"login with the first server stopped: {(int)status} in {elapsed.TotalMilliseconds:0} ms");
            Assert.Equal(HttpStatusCode.OK, status);
            await cluster.Secondary.SettleAsync();
            Assert.Equal(1, cluster.Secondary.BindsOf(dn) - before);
        }
        finally
        {
            await cluster.Primary.StartAsync();
        }
    }

    [Fact]
    public async Task DirectoryDown_SeenUserKeepsPullingNewUser503WithinTheBound_RecoversWithoutRestart()
    {
        // A node whose LDAP cache lifetime is short, so the grain's entry is past it when the directory goes away:
        // only the outage grace can let the seen user in.
        var ttl = TimeSpan.FromSeconds(2);
        var node = await cluster.Cluster.AddNodeAsync(o => o with
        {
            Environment = new Dictionary<string, string?>(o.Environment) { ["Gateway__Ldap__CacheTtl"] = ttl.ToString("c", System.Globalization.CultureInfo.InvariantCulture) },
        });
        using var client = node.CreateClient();
        const string seen = "seen";
        const string newcomer = "newcomer";
        using (var first = await SendAsync(client, HttpMethod.Get, "/v2/", seen, seen + "-pw"))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        await Task.Delay(ttl + TimeSpan.FromSeconds(1));
        await Task.WhenAll(cluster.Primary.StopAsync(), cluster.Secondary.StopAsync());
        var timings = new StringBuilder();
        try
        {
            var watch = Stopwatch.StartNew();
            using var graced = await SendAsync(client, HttpMethod.Get, "/v2/", seen, seen + "-pw");
            timings.Append($"seen user during the outage: {(int)graced.StatusCode} in {watch.ElapsedMilliseconds} ms; ");
            watch.Restart();
            using var refused = await SendAsync(client, HttpMethod.Get, "/v2/", newcomer, newcomer + "-pw");
            var refusedIn = watch.Elapsed;
            timings.Append($"new user: {(int)refused.StatusCode} in {refusedIn.TotalMilliseconds:0} ms; ");
            watch.Restart();
            using var again = await SendAsync(client, HttpMethod.Get, "/v2/", newcomer, newcomer + "-pw");
            timings.Append($"again (breakers open): {(int)again.StatusCode} in {watch.ElapsedMilliseconds} ms; ");

            Assert.Equal(HttpStatusCode.OK, graced.StatusCode);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Contains("UNAVAILABLE", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.True(refusedIn < LdapClusterFixture.ResponseTimeout, $"503 after {refusedIn}");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, again.StatusCode);
        }
        finally
        {
            await Task.WhenAll(cluster.Primary.StartAsync(), cluster.Secondary.StartAsync());
        }

        var recovery = Stopwatch.StartNew();
        await Poll.UntilAsync(
            async _ =>
            {
                using var response = await SendAsync(client, HttpMethod.Get, "/v2/", newcomer, newcomer + "-pw");
                return response.StatusCode == HttpStatusCode.OK;
            },
            TimeSpan.FromSeconds(30),
            "the new user to log in once the directory is back",
            interval: TimeSpan.FromMilliseconds(250));
        timings.Append($"new user logs in {recovery.ElapsedMilliseconds} ms after the directory restarted");
        output.WriteLine(timings.ToString());
    }

    [Fact]
    public async Task FirstAndCachedRequest_LatencyReported()
    {
        const string user = "latency";
        using var client = cluster.Cluster[0].CreateClient();
        using (var warm = await SendAsync(client, HttpMethod.Get, "/v2/", LdapClusterFixture.LocalUser, LdapClusterFixture.LocalPassword))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode); // the connection and the edge's grain client are warm
        }

        var (status, elapsed) = await FirstAnsweredLoginAsync(client, user);

        Assert.Equal(HttpStatusCode.OK, status);
        var firstMs = elapsed.TotalMilliseconds;
        var cached = new List<double>();
        var watch = new Stopwatch();
        for (var i = 0; i < 20; i++)
        {
            watch.Restart();
            using var response = await SendAsync(client, HttpMethod.Get, "/v2/", user, user + "-pw");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            cached.Add(watch.Elapsed.TotalMilliseconds);
        }

        cached.Sort();
        output.WriteLine($"GET /v2/ as an LDAP user: first (StartTLS, service search, user bind, groups) {firstMs:0.0} ms; cached: median {cached[cached.Count / 2]:0.0} ms, max {cached[^1]:0.0} ms (20 requests)");
    }

    [Fact]
    public async Task TokenEndpoint_LdapUserGetsGroupGrantsAndNoRefreshToken()
    {
        using var client = cluster.Cluster[2].CreateClient();

        using var alice = await SendAsync(client, HttpMethod.Get, $"/token?service={LdapClusterFixture.TokenService}&scope=repository:ci/app:pull,push&offline_token=true", "alice", "alice-pw");
        using var bob = await SendAsync(client, HttpMethod.Get, $"/token?service={LdapClusterFixture.TokenService}&scope=repository:ci/app:pull,push", "bob", "bob-pw");

        var aliceBody = await alice.Content.ReadAsStringAsync();
        Assert.Equal(["pull", "push"], GrantedActions(aliceBody));
        Assert.False(JsonDocument.Parse(aliceBody).RootElement.TryGetProperty("refresh_token", out _), "no refresh token an LDAP user could never use");
        Assert.Equal(["pull"], GrantedActions(await bob.Content.ReadAsStringAsync()));
    }

    private static string[] GrantedActions(string tokenResponse)
    {
        var token = JsonDocument.Parse(tokenResponse).RootElement.GetProperty("token").GetString()!;
        var payload = token.Split('.')[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
        var claims = JsonDocument.Parse(Convert.FromBase64String(payload)).RootElement;
        return [.. claims.GetProperty("access").EnumerateArray().SelectMany(a => a.GetProperty("actions").EnumerateArray().Select(x => x.GetString()!)).Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// A login (<c>GET /v2/</c>) repeated while it answers 503, bounded to 30 s: a test before this one may have left a
    /// directory server's breaker open, which refuses at once without a bind. Answers the last status and that attempt's time.
    /// </summary>
    private static async Task<(HttpStatusCode Status, TimeSpan Elapsed)> FirstAnsweredLoginAsync(HttpClient client, string user)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var watch = Stopwatch.StartNew();
            using var response = await SendAsync(client, HttpMethod.Get, "/v2/", user, user + "-pw");
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || deadline.Elapsed >= TimeSpan.FromSeconds(30))
            {
                return (response.StatusCode, watch.Elapsed);
            }

            await Task.Delay(250);
        }
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string user, string password)
    {
        using var request = new HttpRequestMessage(method, path) { Headers = { Authorization = LdapClusterFixture.Basic(user, password) } };
        return await client.SendAsync(request);
    }
}
