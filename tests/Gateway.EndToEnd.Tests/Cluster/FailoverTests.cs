using System.Diagnostics;
using System.Net;
using Gateway.EndToEnd.Tests.DirectAuth;
using Gateway.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Gateway.EndToEnd.Tests.Cluster;

/// <summary>Losing nodes: requests keep being decided (never let through undecided) and recover quickly.</summary>
public sealed class FailoverTests(ITestOutputHelper output)
{
    private const string User = "ci-robot";
    private const string Password = "robot-secret-1";

    [Fact]
    public async Task KillNodeHostingUsersGrain_OtherNodeKeepsDecidingAndRecoversWithin10Seconds()
    {
        using var temp = TempDirectory.Create();
        var htpasswd = temp.Combine("htpasswd");
        await Htpasswd.CreateAsync(htpasswd, 8, (User, Password));
        await using var registry = await RegistryServer.StartAsync(temp);
        await using var redis = await RedisServer.StartAsync(temp);
        var template = new GatewayNodeOptions
        {
            BackendUrls = [registry.BaseUrl.ToString().TrimEnd('/')],
            HtpasswdFile = htpasswd,
            LogLevelGateway = "Debug",

            // This test sends a wrong password every 100 ms on purpose: keep lockouts out of its way.
            Environment = new Dictionary<string, string?>
            {
                ["Gateway__Lockout__MaxFailures"] = "1000",
                ["Gateway__Lockout__MaxFailuresPerUser"] = "1000",
                ["Gateway__Lockout__MaxFailuresPerAddress"] = "1000",
            },
        }.WithRedis(redis);
        await using var cluster = await GatewayCluster.StartAsync(2, redis, template);
        var (a, b) = (cluster[0], cluster[1]);
        using var clientA = a.CreateClient();
        using var clientB = b.CreateClient();

        // The grain activates on the silo of the first edge that asks (prefer-local placement).
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(clientA, Password));
        await a.WaitForLogAsync(l => l.Contains($"User grain for '{User}' activated", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        Assert.DoesNotContain($"User grain for '{User}' activated", b.Output, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(clientB, Password));

        a.KillHard();
        var killed = Stopwatch.StartNew();
        TimeSpan? recovered = null;
        var seen = new List<string>();
        while (killed.Elapsed < TimeSpan.FromSeconds(20) && (recovered is null || killed.Elapsed < recovered + TimeSpan.FromSeconds(2)))
        {
            var good = await StatusAsync(clientB, Password);
            var bad = await StatusAsync(clientB, "wrong-password");
            seen.Add($"{killed.Elapsed.TotalSeconds:0.0}s:{(int)good}/{(int)bad}");

            // Never an open door: a wrong password is never let through, whatever the cluster is doing.
            Assert.True(bad is HttpStatusCode.Unauthorized or HttpStatusCode.ServiceUnavailable, $"wrong password answered {bad}");
            Assert.True(good is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"right password answered {good}");
            if (good == HttpStatusCode.OK && bad == HttpStatusCode.Unauthorized)
            {
                recovered ??= killed.Elapsed;
            }
            else
            {
                recovered = null;
            }

            await Task.Delay(100);
        }

        output.WriteLine(string.Join(' ', seen));
        Assert.NotNull(recovered);
        Assert.True(recovered < TimeSpan.FromSeconds(10), $"recovered after {recovered}");
    }

    [Fact]
    public async Task EdgeAndSiloInSeparateProcesses_EdgeDecides_AndFailsClosedWhenTheSiloIsGone()
    {
        using var temp = TempDirectory.Create();
        var htpasswd = temp.Combine("htpasswd");
        await Htpasswd.CreateAsync(htpasswd, 8, (User, Password));
        await using var registry = await RegistryServer.StartAsync(temp);
        await using var redis = await RedisServer.StartAsync(temp);
        var shared = new GatewayNodeOptions
        {
            BackendUrls = [registry.BaseUrl.ToString().TrimEnd('/')],
            HtpasswdFile = htpasswd,
        }.WithRedis(redis);

        await using var silo = await GatewayNode.StartAsync(shared with { Role = "silo" });
        await using var edge = await GatewayNode.StartAsync(shared with { Role = "edge" });
        using var client = edge.CreateClient();

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(client, Password));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(client, "wrong-password"));
        using (var ready = await client.GetAsync("healthz/ready"))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        silo.KillHard();
        await Poll.UntilAsync(async _ => await StatusAsync(client, Password) == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30), "the edge to answer 503 without its silo");

        using var answer = await SendAsync(client, "wrong-password");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
        Assert.Contains("\"UNAVAILABLE\"", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.NotNull(answer.Headers.RetryAfter);

        // Readiness follows the background checks, not the request above: the edge leaves rotation once no grain call
        // has answered for Gateway:Health:UnreadyAfter (10 s), so a short failover does not take every edge out at once.
        await Poll.UntilAsync(
            async _ =>
            {
                using var ready = await client.GetAsync("healthz/ready");
                return ready.StatusCode == HttpStatusCode.ServiceUnavailable;
            },
            TimeSpan.FromSeconds(30),
            "readiness to answer 503 without a silo");
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, string password)
    {
        using var response = await SendAsync(client, password);
        return response.StatusCode;
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string password)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/") { Headers = { Authorization = DirectAuthClusterFixture.Basic(User, password) } };
        return await client.SendAsync(request);
    }
}
