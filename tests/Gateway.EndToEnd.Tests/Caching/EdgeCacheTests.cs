using System.Diagnostics;
using System.Net;
using System.Text;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.EndToEnd.Tests.Caching;

/// <summary>The edge cache over two real nodes in front of registry 2.8.2, invalidations over the cluster's Redis.</summary>
public sealed class EdgeCacheTests(EdgeCacheClusterFixture cluster) : IClassFixture<EdgeCacheClusterFixture>
{
    [Fact]
    public async Task ManifestAndBlobHead_CachedOnNodeTwo_SameAsRegistryAndDeleteThroughNodeOneMakesNodeTwoAnswer404()
    {
        using var a = cluster.A.CreateClient();
        using var b = cluster.B.CreateClient();
        using var direct = TestHttp.CreateClient(cluster.Registry.BaseUrl);
        var image = await CacheTraffic.PushAsync(a, "e2e/cache-delete");

        var registry = await CacheTraffic.SendAsync(direct, HttpMethod.Get, image.ManifestPath);
        var first = await CacheTraffic.SendAsync(b, HttpMethod.Get, image.ManifestPath);
        var cached = await CacheTraffic.SendAsync(b, HttpMethod.Get, image.ManifestPath);
        var cachedHead = await CacheTraffic.SendAsync(b, HttpMethod.Head, image.ManifestPath);
        var registryBlob = await CacheTraffic.SendAsync(direct, HttpMethod.Head, image.LayerPath);
        await CacheTraffic.SendAsync(b, HttpMethod.Head, image.LayerPath);
        var cachedBlob = await CacheTraffic.SendAsync(b, HttpMethod.Head, image.LayerPath);

        Assert.Equal(HttpStatusCode.OK, cached.Status);
        Assert.Equal(registry, first);
        Assert.Equal(registry, cached); // status, Content-Type, Content-Length, Docker-Content-Digest, ETag and the bytes
        Assert.Equal(registry with { Body = [] }, cachedHead);
        Assert.Equal(registryBlob, cachedBlob);
        await AssertRegistrySawAsync("GET " + image.ManifestPath, 2); // the direct GET and the first through node two
        await AssertRegistrySawAsync("HEAD " + image.LayerPath, 2);

        Assert.Equal(HttpStatusCode.Accepted, (await CacheTraffic.SendAsync(a, HttpMethod.Delete, image.ManifestPath)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await CacheTraffic.SendAsync(b, HttpMethod.Get, image.ManifestPath)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await CacheTraffic.SendAsync(b, HttpMethod.Head, image.ManifestPath)).Status);
        Assert.Equal(HttpStatusCode.OK, (await CacheTraffic.SendAsync(b, HttpMethod.Head, image.LayerPath)).Status); // the blob is still linked

        Assert.Equal(HttpStatusCode.Accepted, (await CacheTraffic.SendAsync(a, HttpMethod.Delete, image.LayerPath)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await CacheTraffic.SendAsync(b, HttpMethod.Head, image.LayerPath)).Status);
    }

    [Fact]
    public async Task DeleteThroughNodeOne_ManyTimesInARow_NodeTwosVeryNextRequestNeverGetsTheDeletedManifest()
    {
        // One run of the test above can pass by luck when node two reads the invalidation before the client's next
        // request arrives; without the confirmation wait this loop lost that race within a few rounds.
        using var a = cluster.A.CreateClient();
        using var b = cluster.B.CreateClient();
        for (var round = 0; round < 12; round++)
        {
            var image = await CacheTraffic.PushAsync(a, "e2e/cache-race");
            await CacheTraffic.SendAsync(b, HttpMethod.Get, image.ManifestPath);
            Assert.Equal(HttpStatusCode.OK, (await CacheTraffic.SendAsync(b, HttpMethod.Head, image.ManifestPath)).Status);

            Assert.Equal(HttpStatusCode.Accepted, (await CacheTraffic.SendAsync(a, HttpMethod.Delete, image.ManifestPath)).Status);
            var next = await CacheTraffic.SendAsync(b, HttpMethod.Head, image.ManifestPath);

            Assert.True(next.Status == HttpStatusCode.NotFound, $"round {round}: node two answered {next.Status} after the DELETE through node one");
        }
    }

    [Fact]
    public async Task Delete_AThirdNodeConfirmsHalfASecondLate_AnsweredOnlyAfterThatConfirmation()
    {
        long confirmedAt = 0;
        await using var late = await LateNode.JoinAsync(cluster, TimeSpan.FromMilliseconds(500), () => Interlocked.Exchange(ref confirmedAt, Stopwatch.GetTimestamp()));
        using var a = cluster.A.CreateClient();
        var image = await CacheTraffic.PushAsync(a, "e2e/cache-late");
        var logBefore = cluster.A.Output.Length;

        var deleted = await CacheTraffic.SendAsync(a, HttpMethod.Delete, image.ManifestPath);
        var answeredAt = Stopwatch.GetTimestamp();

        Assert.Equal(HttpStatusCode.Accepted, deleted.Status);
        Assert.NotEqual(0, Interlocked.Read(ref confirmedAt));
        Assert.True(Interlocked.Read(ref confirmedAt) < answeredAt, "the DELETE was answered before the late node confirmed");
        Assert.DoesNotContain("did not confirm", cluster.A.Output[logBefore..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_AThirdNodeNeverConfirms_AnsweredAfterTheBoundAndLogged()
    {
        await using var deaf = await LateNode.JoinAsync(cluster, Timeout.InfiniteTimeSpan, () => { });
        using var a = cluster.A.CreateClient();
        var image = await CacheTraffic.PushAsync(a, "e2e/cache-deaf");
        var watch = Stopwatch.StartNew();

        var deleted = await CacheTraffic.SendAsync(a, HttpMethod.Delete, image.ManifestPath);

        Assert.Equal(HttpStatusCode.Accepted, deleted.Status); // the registry has deleted: the client hears it
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(15));
        await cluster.A.WaitForLogAsync(l => l.Contains("1 of 3 nodes did not confirm", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task DigestCachedForRepositoryA_RequestedInRepositoryB_RegistryAnswers404()
    {
        using var b = cluster.B.CreateClient();
        using var a = cluster.A.CreateClient();
        var image = await CacheTraffic.PushAsync(a, "e2e/cache-a");
        await CacheTraffic.SendAsync(b, HttpMethod.Get, image.ManifestPath);
        await CacheTraffic.SendAsync(b, HttpMethod.Get, image.ManifestPath);
        await CacheTraffic.SendAsync(b, HttpMethod.Head, image.LayerPath);
        await CacheTraffic.SendAsync(b, HttpMethod.Head, image.LayerPath);

        var manifest = await CacheTraffic.SendAsync(b, HttpMethod.Get, image.ManifestPath.Replace("/cache-a/", "/cache-b/", StringComparison.Ordinal));
        var blob = await CacheTraffic.SendAsync(b, HttpMethod.Head, image.LayerPath.Replace("/cache-a/", "/cache-b/", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.NotFound, manifest.Status);
        Assert.Contains("MANIFEST_UNKNOWN", Encoding.UTF8.GetString(manifest.Body), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, blob.Status);
        await AssertRegistrySawAsync("GET " + image.ManifestPath.Replace("/cache-a/", "/cache-b/", StringComparison.Ordinal), 1);
    }

    [Fact]
    public async Task ManifestByTag_Repeated_AlwaysReachesRegistry()
    {
        using var a = cluster.A.CreateClient();
        var image = await CacheTraffic.PushAsync(a, "e2e/cache-tag");
        var byTag = $"/v2/e2e/cache-tag/manifests/{image.Tag}";

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await CacheTraffic.SendAsync(a, HttpMethod.Get, byTag)).Status);
        }

        await AssertRegistrySawAsync("GET " + byTag, 3);
    }

    /// <summary>Waits until the registry's access log shows <paramref name="request"/> exactly <paramref name="expected"/> times, and stays there.</summary>
    private async Task AssertRegistrySawAsync(string request, int expected)
    {
        var line = $"\"{request} HTTP/1.1\"";
        int Count() => cluster.Registry.Output.Split(line).Length - 1;
        await Poll.UntilAsync(_ => Task.FromResult(Count() >= expected), TimeSpan.FromSeconds(10), $"{expected} × {request} in the registry's log");
        await Task.Delay(200); // a late extra line would show here
        Assert.Equal(expected, Count());
    }
}
