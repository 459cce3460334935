using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Gateway.EndToEnd.Tests.DirectAuth;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.EndToEnd.Tests.Caching;

/// <summary>What the edge-cache tests send: a small image pushed over HTTP, and answers compared as a client sees them.</summary>
public static class CacheTraffic
{
    public const string ManifestType = "application/vnd.docker.distribution.manifest.v2+json";

    private static readonly AuthenticationHeaderValue Alice = DirectAuthClusterFixture.Basic(DirectAuthClusterFixture.User, DirectAuthClusterFixture.Password);

    public static async Task<Image> PushAsync(HttpClient http, string repository)
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

    public static async Task<string> UploadAsync(HttpClient http, string repository, byte[] content)
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
    public static async Task<Answer> SendAsync(HttpClient http, HttpMethod method, string path)
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

    public sealed record Image(string ManifestPath, string LayerPath, string Tag);

    public sealed record Answer(HttpStatusCode Status, string Headers, byte[] Body)
    {
        public bool Equals(Answer? other) => other is not null && Status == other.Status && Headers == other.Headers && Body.AsSpan().SequenceEqual(other.Body);

        public override int GetHashCode() => HashCode.Combine(Status, Headers, Body.Length);
    }
}
