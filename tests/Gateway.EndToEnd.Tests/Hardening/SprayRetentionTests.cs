using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Gateway.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Gateway.EndToEnd.Tests.Hardening;

/// <summary>
/// Spraying names leaves storage bounded: 10,000 distinct unknown names over two Redis-clustered nodes, from 200
/// addresses (50 names each, under the address block) behind a trusted load balancer, become Redis keys while their
/// window runs, and Redis's key count and memory return to where they were once it ends.
/// </summary>
public sealed class SprayRetentionTests(ITestOutputHelper output)
{
    private const int Names = 10_000;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task SprayDistinctUnknownNames_AfterTheWindow_RedisKeysAndMemoryBackToBefore()
    {
        using var temp = TempDirectory.Create();
        var htpasswd = temp.Combine("htpasswd");
        await Htpasswd.CreateAsync(htpasswd, Htpasswd.MinimumCost, ("alice", "alice-pw"));
        await using var registry = await RegistryServer.StartAsync(temp);
        await using var redis = await RedisServer.StartAsync(temp);
        var template = new GatewayNodeOptions
        {
            BackendUrls = [registry.BaseUrl.ToString().TrimEnd('/')],
            HtpasswdFile = htpasswd,
            KnownProxies = ["127.0.0.1"],
            Environment = new Dictionary<string, string?>
            {
                ["Gateway__Lockout__Window"] = "00:00:30",
                ["Gateway__Lockout__SweepInterval"] = "00:00:01",
            },
        }.WithRedis(redis);
        await using var cluster = await GatewayCluster.StartAsync(2, redis, template);
        var before = await MeasureAsync(redis);

        // The peak, sampled while spraying: with a window shorter than the spray, early names leave before the last come.
        var peak = before;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                var now = await MeasureAsync(redis);
                peak = now.Keys > peak.Keys ? now : peak;
                await Task.Delay(500);
            }
        });
        var sprayed = System.Diagnostics.Stopwatch.StartNew();
        var next = -1;
        var clients = cluster.Nodes.Select(n => n.CreateClient()).ToArray();
        await Parallel.ForEachAsync(Enumerable.Range(0, 16), async (worker, _) =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < Names)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/")
                {
                    Headers = { Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"spray-{i:D5}-{Guid.NewGuid():N}:guess"))) },
                };
                request.Headers.Add("X-Forwarded-For", $"10.77.{i / 50 / 250}.{(i / 50 % 250) + 1}");
                using var response = await clients[i % clients.Length].SendAsync(request);
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            }
        });
        sprayed.Stop();
        await sampling.CancelAsync();
        await sampler;
        var during = await MeasureAsync(redis);
        output.WriteLine($"before: {before}; peak while spraying {Names} names in {sprayed.Elapsed.TotalSeconds:F0} s: {peak}; at its end: {during}");
        Assert.True(peak.Keys >= before.Keys + (Names / 3), $"{peak.Keys} keys at most: the spray was not stored");

        var (keys, memory) = (during.Keys, during.Memory);
        await Poll.UntilAsync(async _ =>
        {
            (keys, memory) = await MeasureAsync(redis);
            return keys <= before.Keys;
        }, Window + TimeSpan.FromSeconds(60), "the sprayed names' keys to expire");
        var after = await MeasureAsync(redis);
        output.WriteLine($"after the window: {after}");

        Assert.Equal(before.Keys, after.Keys);
        Assert.True(after.Memory <= before.Memory + (before.Memory / 10) + (256 * 1024), $"memory {after.Memory} bytes after, {before.Memory} before");
        foreach (var client in clients)
        {
            client.Dispose();
        }
    }

    private static async Task<(long Keys, long Memory)> MeasureAsync(RedisServer redis)
    {
        var keys = long.Parse((await redis.RunCliAsync("DBSIZE")).EnsureSuccess().StandardOutput.Trim(), CultureInfo.InvariantCulture);
        var info = (await redis.RunCliAsync("INFO", "memory")).EnsureSuccess().StandardOutput;
        var used = info.Split('\n').First(l => l.StartsWith("used_memory:", StringComparison.Ordinal))["used_memory:".Length..].Trim();
        return (keys, long.Parse(used, CultureInfo.InvariantCulture));
    }
}
