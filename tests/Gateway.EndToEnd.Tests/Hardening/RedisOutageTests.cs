using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Gateway.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Gateway.EndToEnd.Tests.Hardening;

/// <summary>
/// With Redis gone, no request waits longer than <c>Gateway:Cluster:ResponseTimeout</c>: the first login of a user whose
/// grain is not active (its state cannot be read) is answered 503 <c>UNAVAILABLE</c> with <c>Retry-After</c> within it.
/// </summary>
public sealed class RedisOutageTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task RedisStopped_FirstLoginOfAnInactiveUser_503WithinTheResponseBound()
    {
        using var temp = TempDirectory.Create();
        var htpasswd = temp.Combine("htpasswd");
        var users = Enumerable.Range(0, 4).Select(i => ($"user{i}", "pw")).ToArray();
        await Htpasswd.CreateAsync(htpasswd, Htpasswd.MinimumCost, users);
        await using var registry = await RegistryServer.StartAsync(temp);
        var redis = await RedisServer.StartAsync(temp);
        var template = new GatewayNodeOptions
        {
            BackendUrls = [registry.BaseUrl.ToString().TrimEnd('/')],
            HtpasswdFile = htpasswd,
            Environment = new Dictionary<string, string?> { ["Gateway__Cluster__ResponseTimeout"] = "00:00:03" },
        }.WithRedis(redis);
        await using var cluster = await GatewayCluster.StartAsync(2, redis, template);
        using var http = cluster[0].CreateClient();
        Assert.Equal(HttpStatusCode.OK, await LoginAsync(http, "user0"));

        await redis.DisposeAsync();

        foreach (var (user, _) in users.Skip(1))
        {
            var watch = Stopwatch.StartNew();
            using var request = Login(user);
            using var response = await http.SendAsync(request);
            watch.Stop();
            output.WriteLine($"{user}: {(int)response.StatusCode} after {watch.Elapsed.TotalSeconds:F2} s");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.NotNull(response.Headers.RetryAfter);
            Assert.Contains("UNAVAILABLE", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.True(watch.Elapsed < Bound + TimeSpan.FromSeconds(1), $"{user} waited {watch.Elapsed} (bound {Bound})");
        }
    }

    private static async Task<HttpStatusCode> LoginAsync(HttpClient http, string user)
    {
        using var request = Login(user);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private static HttpRequestMessage Login(string user) =>
        new(HttpMethod.Get, "/v2/") { Headers = { Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":pw"))) } };
}
