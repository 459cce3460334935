using System.Net;
using System.Net.Http.Headers;
using Gateway.Edge.Caching;
using Gateway.Edge.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Edge.Tests.Caching;

public sealed class AnswerCacheMiddlewareTests
{
    private const string Manifest = """{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{}}""";

    private static readonly AuthenticationHeaderValue Alice = EdgeTestHost.Basic(EdgeTestHost.User, EdgeTestHost.Password);

    private static readonly Dictionary<string, string?> CacheOn = new() { ["Gateway:Cache:Enabled"] = "true" };

    [Fact]
    public async Task GetManifestByDigest_Repeated_ServedFromEdgeWithTheRegistrysAnswer()
    {
        var registry = new ContentRegistryDouble();
        await using var edge = await StartAsync(registry);
        var digest = registry.AddManifest("team/a", Manifest);

        var first = await SnapshotAsync(edge, HttpMethod.Get, $"/v2/team/a/manifests/{digest}");
        var second = await SnapshotAsync(edge, HttpMethod.Get, $"/v2/team/a/manifests/{digest}");

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(first, second);
        Assert.Equal(Manifest, second.Body);
        Assert.Contains($"Docker-Content-Digest: {digest}", second.Headers);
        Assert.Contains($"ETag: \"{digest}\"", second.Headers);
        Assert.Contains($"Content-Type: {ContentRegistryDouble.ManifestType}", second.Headers);
        Assert.Single(edge.Backend.Received);
    }

    [Fact]
    public async Task HeadManifestByDigest_AfterGet_SameHeadersNoBody()
    {
        var registry = new ContentRegistryDouble();
        await using var edge = await StartAsync(registry);
        var digest = registry.AddManifest("team/a", Manifest);

        var get = await SnapshotAsync(edge, HttpMethod.Get, $"/v2/team/a/manifests/{digest}");
        var head = await SnapshotAsync(edge, HttpMethod.Head, $"/v2/team/a/manifests/{digest}");

        Assert.Equal(get.Headers, head.Headers);
        Assert.Equal(string.Empty, head.Body);
        Assert.Single(edge.Backend.Received);
    }

    [Fact]
    public async Task GetManifestByDigest_AfterHeadOnly_ReachesRegistry()
    {
        var registry = new ContentRegistryDouble();
        await using var edge = await StartAsync(registry);
        var digest = registry.AddManifest("team/a", Manifest);

        await SnapshotAsync(edge, HttpMethod.Head, $"/v2/team/a/manifests/{digest}");
        var get = await SnapshotAsync(edge, HttpMethod.Get, $"/v2/team/a/manifests/{digest}");
        var again = await SnapshotAsync(edge, HttpMethod.Head, $"/v2/team/a/manifests/{digest}");

        Assert.Equal(Manifest, get.Body);
        Assert.Equal(get.Headers, again.Headers);
        Assert.Equal(2, edge.Backend.Received.Count);
    }

    [Fact]
    public async Task HeadBlob_Repeated_ServedFromEdge()
    {
        var registry = new ContentRegistryDouble();
        await using var edge = await StartAsync(registry);
        var digest = ContentRegistryDouble.RandomDigest();
        registry.AddBlob("team/a", digest, 123_456_789);

        var first = await SnapshotAsync(edge, HttpMethod.Head, $"/v2/team/a/blobs/{digest}");
        var second = await SnapshotAsync(edge, HttpMethod.Head, $"/v2/team/a/blobs/{digest}");

        Assert.Equal(first, second);
        Assert.Contains("Content-Length: 123456789", second.Headers);
        Assert.Single(edge.Backend.Received);
    }

    [Fact]
    public async Task DigestCachedForRepositoryA_RequestedInRepositoryB_RegistryAnswers404()
    {
        var registry = new ContentRegistryDouble();
        await using var edge = await StartAsync(registry);
        var digest = registry.AddManifest("team/a", Manifest);
        var blob = ContentRegistryDouble.RandomDigest();
        registry.AddBlob("team/a", blob, 10);
        await SnapshotAsync(edge, HttpMethod.Get, $"/v2/team/a/manifests/{digest}");
        await SnapshotAsync(edge, HttpMethod.Head, $"/v2/team/a/blobs/{blob}");

        var manifest = await SnapshotAsync(edge, HttpMethod.Get, $"/v2/team/b/manifests/{digest}");
        var head = await SnapshotAsync(edge, HttpMethod.Head, $"/v2/team/b/blobs/{blob}");

        Assert.Equal(HttpStatusCode.NotFound, manifest.Status);
        Assert.Contains("MANIFEST_UNKNOWN", manifest.Body);
        Assert.Equal(HttpStatusCode.NotFound, head.Status);
        Assert.Equal(["/v2/team/a/manifests/" + digest, "/v2/team/a/blobs/" + blob, "/v2/team/b/manifests/" + digest, "/v2/team/b/blobs/" + blob],
            edge.Backend.Received.Select(r => r.RawTarget));
    }

    [Fact]
    public async Task TagRequests_Repeated_AlwaysReachRegistry()
    {
        await using var edge = await EdgeTestHost.StartAsync(CacheOn);

        for (var i = 0; i < 3; i++)
        {
            using var get = await edge.SendAsync(HttpMethod.Get, "/v2/team/a/manifests/latest", Alice);
            using var head = await edge.SendAsync(HttpMethod.Head, "/v2/team/a/manifests/latest", Alice);
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        }

        Assert.Equal(6, edge.Backend.Received.Count);
    }

    [Fact]
    public async Task NotFound_Repeated_AlwaysReachesRegistry()
    {
        var registry = new ContentRegistryDouble();
        await using var edge = await StartAsync(registry);
        var digest = ContentRegistryDouble.RandomDigest();

        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await SnapshotAsync(edge, HttpMethod.Head, $"/v2/team/a/blobs/{digest}")).Status);
        }

        registry.AddBlob("team/a", digest, 5); // pushed since: the next check sees it
        Assert.Equal(HttpStatusCode.OK, (await SnapshotAsync(edge, HttpMethod.Head, $"/v2/team/a/blobs/{digest}")).Status);
        Assert.Equal(3, edge.Backend.Received.Count);
    }

    [Fact]
    public async Task CachedDigest_WithoutValidCredentials_RefusedByTheGate()
    {
        var registry = new ContentRegistryDouble();
        await using var edge = await StartAsync(registry);
        var digest = registry.AddManifest("team/a", Manifest);
        await SnapshotAsync(edge, HttpMethod.Get, $"/v2/team/a/manifests/{digest}");

        using var anonymous = await edge.SendAsync(HttpMethod.Get, $"/v2/team/a/manifests/{digest}");
        using var wrong = await edge.SendAsync(HttpMethod.Get, $"/v2/team/a/manifests/{digest}", EdgeTestHost.Basic(EdgeTestHost.User, "wrong"));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    [Fact]
    public async Task CachedDigest_UserRefusedByAcl_Denied()
    {
        var registry = new ContentRegistryDouble();
        const string Acl = "acl:\n  - match: {account: alice}\n    actions: [\"*\"]\n";
        await using var edge = await EdgeTestHost.StartAsync(CacheOn, users: new Dictionary<string, string> { ["bob"] = "bobs-pw" }, acl: Acl);
        edge.Backend.Handler = registry.HandleAsync;
        var digest = registry.AddManifest("team/a", Manifest);
        await SnapshotAsync(edge, HttpMethod.Get, $"/v2/team/a/manifests/{digest}");

        using var bob = await edge.SendAsync(HttpMethod.Get, $"/v2/team/a/manifests/{digest}", EdgeTestHost.Basic("bob", "bobs-pw"));

        Assert.Equal(HttpStatusCode.Forbidden, bob.StatusCode);
        Assert.Single(edge.Backend.Received);
    }

    [Fact]
    public async Task Answer_BodyNotMatchingDigest_NotKept()
    {
        await using var edge = await EdgeTestHost.StartAsync(CacheOn);
        var digest = ContentRegistryDouble.RandomDigest();
        edge.Backend.Handler = async context =>
        {
            context.Response.ContentType = ContentRegistryDouble.ManifestType;
            context.Response.Headers["Docker-Content-Digest"] = digest; // claims a digest its body does not have
            await context.Response.WriteAsync(Manifest);
        };

        await SnapshotAsync(edge, HttpMethod.Get, $"/v2/team/a/manifests/{digest}");
        await SnapshotAsync(edge, HttpMethod.Get, $"/v2/team/a/manifests/{digest}");

        Assert.Equal(2, edge.Backend.Received.Count);
    }

    [Fact]
    public async Task Answer_OtherAcceptHeader_FetchedApart()
    {
        var registry = new ContentRegistryDouble();
        await using var edge = await StartAsync(registry);
        var digest = registry.AddManifest("team/a", Manifest);

        await SnapshotAsync(edge, HttpMethod.Get, $"/v2/team/a/manifests/{digest}", accept: ContentRegistryDouble.ManifestType);
        await SnapshotAsync(edge, HttpMethod.Get, $"/v2/team/a/manifests/{digest}", accept: "application/vnd.oci.image.manifest.v1+json");
        await SnapshotAsync(edge, HttpMethod.Get, $"/v2/team/a/manifests/{digest}", accept: ContentRegistryDouble.ManifestType);

        Assert.Equal(2, edge.Backend.Received.Count);
    }

    [Fact]
    public async Task CacheOff_Repeated_AlwaysReachesRegistry()
    {
        var registry = new ContentRegistryDouble();
        await using var edge = await EdgeTestHost.StartAsync();
        edge.Backend.Handler = registry.HandleAsync;
        var digest = registry.AddManifest("team/a", Manifest);

        await SnapshotAsync(edge, HttpMethod.Get, $"/v2/team/a/manifests/{digest}");
        await SnapshotAsync(edge, HttpMethod.Get, $"/v2/team/a/manifests/{digest}");

        Assert.Equal(2, edge.Backend.Received.Count);
    }

    [Fact]
    public async Task DeleteThroughNodeOne_NodeTwosNextRequest_Answers404()
    {
        var registry = new ContentRegistryDouble();
        var bus = new InMemoryInvalidationBus();
        await using var one = await StartAsync(registry, bus);
        await using var two = await StartAsync(registry, bus);
        var digest = registry.AddManifest("team/a", Manifest);
        var blob = ContentRegistryDouble.RandomDigest();
        registry.AddBlob("team/a", blob, 10);
        Assert.Equal(HttpStatusCode.OK, (await SnapshotAsync(two, HttpMethod.Get, $"/v2/team/a/manifests/{digest}")).Status);
        Assert.Equal(HttpStatusCode.OK, (await SnapshotAsync(two, HttpMethod.Head, $"/v2/team/a/blobs/{blob}")).Status);

        Assert.Equal(HttpStatusCode.Accepted, (await SnapshotAsync(one, HttpMethod.Delete, $"/v2/team/a/manifests/{digest}")).Status);
        Assert.Equal(HttpStatusCode.Accepted, (await SnapshotAsync(one, HttpMethod.Delete, $"/v2/team/a/blobs/{blob}")).Status);

        Assert.Equal(HttpStatusCode.NotFound, (await SnapshotAsync(two, HttpMethod.Get, $"/v2/team/a/manifests/{digest}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SnapshotAsync(two, HttpMethod.Head, $"/v2/team/a/manifests/{digest}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SnapshotAsync(two, HttpMethod.Head, $"/v2/team/a/blobs/{blob}")).Status);
        Assert.Equal(2, bus.Published);
    }

    [Fact]
    public async Task ChannelLost_CachedAnswer_NotServedUntilListeningAgain()
    {
        var registry = new ContentRegistryDouble();
        var bus = new InMemoryInvalidationBus();
        await using var edge = await StartAsync(registry, bus);
        var digest = registry.AddManifest("team/a", Manifest);
        await SnapshotAsync(edge, HttpMethod.Get, $"/v2/team/a/manifests/{digest}");

        bus.Disconnect();
        registry.RemoveManifest("team/a", digest); // deleted where this node cannot hear of it

        Assert.Equal(HttpStatusCode.NotFound, (await SnapshotAsync(edge, HttpMethod.Get, $"/v2/team/a/manifests/{digest}")).Status);
        Assert.Equal(0, edge.Services.GetRequiredService<EdgeAnswerCache>().Count);
    }

    [Fact]
    public async Task OutOfBandRemoval_AfterTtl_RegistryAnswers()
    {
        var registry = new ContentRegistryDouble();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var edge = await EdgeTestHost.StartAsync(
            new Dictionary<string, string?>(CacheOn) { ["Gateway:Cache:Ttl"] = "00:01:00" },
            configureBuilder: b => b.Services.AddSingleton(new EdgeAnswerCache(Microsoft.Extensions.Options.Options.Create(new CacheOptions { Enabled = true, Ttl = TimeSpan.FromMinutes(1) }), time)));
        edge.Backend.Handler = registry.HandleAsync;
        var digest = registry.AddManifest("team/a", Manifest);
        await SnapshotAsync(edge, HttpMethod.Get, $"/v2/team/a/manifests/{digest}");
        registry.RemoveManifest("team/a", digest); // garbage-collected behind the gateway's back

        Assert.Equal(HttpStatusCode.OK, (await SnapshotAsync(edge, HttpMethod.Get, $"/v2/team/a/manifests/{digest}")).Status);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.NotFound, (await SnapshotAsync(edge, HttpMethod.Get, $"/v2/team/a/manifests/{digest}")).Status);
    }

    private static async Task<EdgeTestHost> StartAsync(ContentRegistryDouble registry, InMemoryInvalidationBus? bus = null)
    {
        var edge = await EdgeTestHost.StartAsync(CacheOn, configureBuilder: bus is null ? null : b => b.Services.AddSingleton(bus.Join()));
        edge.Backend.Handler = registry.HandleAsync;
        return edge;
    }

    private static async Task<Answer> SnapshotAsync(EdgeTestHost edge, HttpMethod method, string path, string accept = ContentRegistryDouble.ManifestType)
    {
        using var response = await edge.SendAsync(method, path, Alice, r => r.Headers.TryAddWithoutValidation("Accept", accept));
        var body = await response.Content.ReadAsStringAsync();
        var headers = response.Headers.Concat(response.Content.Headers)
            .Where(h => h.Key != "Date")
            .Select(h => $"{h.Key}: {string.Join(", ", h.Value)}")
            .Order(StringComparer.Ordinal)
            .ToArray();
        return new Answer(response.StatusCode, string.Join('\n', headers), body);
    }

    private sealed record Answer(HttpStatusCode Status, string Headers, string Body);
}
