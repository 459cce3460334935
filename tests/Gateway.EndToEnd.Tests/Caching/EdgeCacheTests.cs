using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Gateway.EndToEnd.Tests.DirectAuth;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.EndToEnd.Tests.Caching;

/// <summary>The edge cache over two real nodes in front of registry 2.8.2, invalidations over the cluster's Redis.</summary>
public sealed class EdgeCacheTests(EdgeCacheClusterFixture cluster) : IClassFixture<EdgeCacheClusterFixture>
{
    private const string ManifestType = "application/vnd.docker.distribution.manifest.v2+json";

    private static readonly AuthenticationHeaderValue Alice = DirectAuthClusterFixture.Basic(DirectAuthClusterFixture.User, DirectAuthClusterFixture.Password);

    [Fact]
    public async Task ManifestAndBlobHead_CachedOnNodeTwo_SameAsRegistryAndDeleteThroughNodeOneMakesNodeTwoAnswer404()
    {
        using var a = cluster.A.CreateClient();
        using var b = cluster.B.CreateClient();
        using var direct = TestHttp.CreateClient(cluster.Registry.BaseUrl);
        var image = await PushAsync(a, "e2e/cache-delete");

        var registry = await SendAsync(direct, HttpMethod.Get, image.ManifestPath);
        var first = await SendAsync(b, HttpMethod.Get, image.ManifestPath);
        var cached = await SendAsync(b, HttpMethod.Get, image.ManifestPath);
        var cachedHead = await SendAsync(b, HttpMethod.Head, image.ManifestPath);
        var registryBlob = await SendAsync(direct, HttpMethod.Head, image.LayerPath);
        await SendAsync(b, HttpMethod.Head, image.LayerPath);
        var cachedBlob = await SendAsync(b, HttpMethod.Head, image.LayerPath);

        Assert.Equal(HttpStatusCode.OK, cached.Status);
        Assert.Equal(registry, first);
        Assert.Equal(registry, cached); // status, Content-Type, Content-Length, Docker-Content-Digest, ETag and the bytes
        Assert.Equal(registry with { Body = [] }, cachedHead);
        Assert.Equal(registryBlob, cachedBlob);
        await AssertRegistrySawAsync("GET " + image.ManifestPath, 2); // the direct GET and the first through node two
        await AssertRegistrySawAsync("HEAD " + image.LayerPath, 2);

        Assert.Equal(HttpStatusCode.Accepted, (await SendAsync(a, HttpMethod.Delete, image.ManifestPath)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(b, HttpMethod.Get, image.ManifestPath)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(b, HttpMethod.Head, image.ManifestPath)).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(b, HttpMethod.Head, image.LayerPath)).Status); // the blob is still linked

        Assert.Equal(HttpStatusCode.Accepted, (await SendAsync(a, HttpMethod.Delete, image.LayerPath)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(b, HttpMethod.Head, image.LayerPath)).Status);
    }

    [Fact]
    public async Task DigestCachedForRepositoryA_RequestedInRepositoryB_RegistryAnswers404()
    {
        using var b = cluster.B.CreateClient();
        using var a = cluster.A.CreateClient();
        var image = await PushAsync(a, "e2e/cache-a");
        await SendAsync(b, HttpMethod.Get, image.ManifestPath);
        await SendAsync(b, HttpMethod.Get, image.ManifestPath);
        await SendAsync(b, HttpMethod.Head, image.LayerPath);
        await SendAsync(b, HttpMethod.Head, image.LayerPath);

        var manifest = await SendAsync(b, HttpMethod.Get, image.ManifestPath.Replace("/cache-a/", "/cache-b/", StringComparison.Ordinal));
        var blob = await SendAsync(b, HttpMethod.Head, image.LayerPath.Replace("/cache-a/", "/cache-b/", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.NotFound, manifest.Status);
        Assert.Contains("MANIFEST_UNKNOWN", Encoding.UTF8.GetString(manifest.Body), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, blob.Status);
        await AssertRegistrySawAsync("GET " + image.ManifestPath.Replace("/cache-a/", "/cache-b/", StringComparison.Ordinal), 1);
    }

    [Fact]
    public async Task ManifestByTag_Repeated_AlwaysReachesRegistry()
    {
        using var a = cluster.A.CreateClient();
        var image = await PushAsync(a, "e2e/cache-tag");
        var byTag = $"/v2/e2e/cache-tag/manifests/{image.Tag}";

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(a, HttpMethod.Get, byTag)).Status);
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

    private static async Task<Image> PushAsync(HttpClient http, string repository)
    {
        var config = Encoding.UTF8.GetBytes($"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"nonce\":\"{Guid.NewGuid():N}\"}}");
        var layer = RandomNumberGenerator.GetBytes(4096);
        var configDigest = await UploadAsync(http, repository, config);
        var layerDigest = await UploadAsync(http, repository, layer);
        var manifest = Encoding.UTF8.GetBytes(
            $"{{\"schemaVersion\":2,\"mediaType\":\"{ManifestType}\",\"config\":{{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"size\":{config.Length},\"digest\":\"{configDigest}\"}}," +
            $"\"layers\":[{{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"size\":{layer.Length},\"digest\":\"{layerDigest}\"}}]}}");
        var tag = "v" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/v2/{repository}/manifests/{tag}") { Content = new ByteArrayContent(manifest), Headers = { Authorization = Alice } };
        put.Content.Headers.ContentType = new MediaTypeHeaderValue(ManifestType);
        using var stored = await http.SendAsync(put);
        Assert.Equal(HttpStatusCode.Created, stored.StatusCode);
        var digest = TestImages.DigestOf(manifest);
        return new Image($"/v2/{repository}/manifests/{digest}", $"/v2/{repository}/blobs/{layerDigest}", tag);
    }

    private static async Task<string> UploadAsync(HttpClient http, string repository, byte[] content)
    {
        using var start = new HttpRequestMessage(HttpMethod.Post, $"/v2/{repository}/blobs/uploads/") { Headers = { Authorization = Alice } };
        using var started = await http.SendAsync(start);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var digest = TestImages.DigestOf(content);
        var location = started.Headers.Location!.ToString();
        using var put = new HttpRequestMessage(HttpMethod.Put, location + (location.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "digest=" + Uri.EscapeDataString(digest))
        {
            Content = new ByteArrayContent(content),
            Headers = { Authorization = Alice },
        };
        using var done = await http.SendAsync(put);
        Assert.Equal(HttpStatusCode.Created, done.StatusCode);
        return digest;
    }

    /// <summary>The answer as a client sees it, less <c>Date</c> (per response) and the gateway's own pull headers.</summary>
    private static async Task<Answer> SendAsync(HttpClient http, HttpMethod method, string path)
    {
        // The registry behind the gateway has no auth of its own and ignores the credentials.
        using var request = new HttpRequestMessage(method, path) { Headers = { Authorization = Alice } };
        request.Headers.Accept.ParseAdd(ManifestType);
        using var response = await http.SendAsync(request);
        var headers = response.Headers.Concat(response.Content.Headers)
            .Where(h => h.Key is not "Date" && !h.Key.StartsWith("X-Gateway-", StringComparison.OrdinalIgnoreCase) && !h.Key.Contains("RateLimit", StringComparison.OrdinalIgnoreCase))
            .Select(h => $"{h.Key}: {string.Join(", ", h.Value)}")
            .Order(StringComparer.Ordinal);
        return new Answer(response.StatusCode, string.Join('\n', headers), await response.Content.ReadAsByteArrayAsync());
    }

    private sealed record Image(string ManifestPath, string LayerPath, string Tag);

    private sealed record Answer(HttpStatusCode Status, string Headers, byte[] Body)
    {
        public bool Equals(Answer? other) => other is not null && Status == other.Status && Headers == other.Headers && Body.AsSpan().SequenceEqual(other.Body);

        public override int GetHashCode() => HashCode.Combine(Status, Headers, Body.Length);
    }
}
