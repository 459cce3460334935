using System.Net;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.EndToEnd.Tests.Caching;

/// <summary>
/// The fail-safe side of the invalidation channel: a node that loses Redis (and so may miss invalidations) drops its
/// cache and asks the registry. Its own cluster: Redis is killed.
/// </summary>
public sealed class EdgeCacheRedisOutageTests(EdgeCacheClusterFixture cluster) : IClassFixture<EdgeCacheClusterFixture>
{
    [Fact]
    public async Task RedisLost_ManifestRemovedBehindTheGateway_NodeAsksTheRegistryAndAnswers404()
    {
        using var a = cluster.A.CreateClient();
        using var b = cluster.B.CreateClient();
        var image = await CacheTraffic.PushAsync(a, "e2e/cache-outage");
        Assert.Equal(HttpStatusCode.OK, (await CacheTraffic.SendAsync(b, HttpMethod.Get, image.ManifestPath)).Status);
        Assert.Equal(HttpStatusCode.OK, (await CacheTraffic.SendAsync(b, HttpMethod.Get, image.ManifestPath)).Status);
        var lines = cluster.B.Process.LineCount;

        cluster.Redis.Process.KillHard(); // invalidations can no longer reach node B
        await cluster.B.WaitForLogAsync(l => l.Contains("Edge cache stopped listening", StringComparison.Ordinal), TimeSpan.FromSeconds(30), lines);

        // Deleted where node B cannot hear of it: straight from the registry's storage.
        var hex = image.ManifestPath[(image.ManifestPath.LastIndexOf(':') + 1)..];
        Directory.Delete(Path.Combine(cluster.Registry.StorageDirectory, "docker", "registry", "v2", "repositories", "e2e", "cache-outage", "_manifests", "revisions", "sha256", hex), recursive: true);

        var after = await CacheTraffic.SendAsync(b, HttpMethod.Get, image.ManifestPath);

        Assert.Equal(HttpStatusCode.NotFound, after.Status);
    }
}
