using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Gateway.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Gateway.EndToEnd.Tests.LoadBalancing;

/// <summary>
/// Real clients through HAProxy (deploy/haproxy/local.cfg: TLS ends there, every request is balanced round-robin)
/// in front of three edges, two silos and two registry replicas sharing storage and http.secret.
/// </summary>
[Collection(LoadBalancingCollection.Name)]
public sealed partial class ThroughLoadBalancerTests(LoadBalancingFixture fixture, ITestOutputHelper output)
{
    private const long MiB = 1024 * 1024;

    private static AuthenticationHeaderValue Auth =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{LoadBalancingFixture.User}:{LoadBalancingFixture.Password}")));

    [Fact]
    public async Task DockerCli_Pushes64MiB_AndPullsItBack_ThroughThreeEdges_SameDigest_EveryEdgeCarriedTraffic()
    {
        var watch = Stopwatch.StartNew();
        await using var lb = await fixture.StartEdgesAsync(3);
        using var temp = TempDirectory.Create();
        await using var engine = await DockerEngine.StartAsync(temp);
        var oci = await TestImages.CreateOciLayoutAsync(temp.Combine("oci"), "v1", 64 * MiB, 1 * MiB);
        var reference = $"{lb.Haproxy.HostPort}/lb/docker:v1";
        var archive = temp.Combine("image.tar");
        (await Skopeo.Create(temp).CopyAsync(oci.Reference, $"docker-archive:{archive}:{reference}")).EnsureSuccess();
        (await engine.RunCliAsync("load", "-i", archive)).EnsureSuccess();
        File.Delete(archive);
        var layersBefore = (await engine.RunCliAsync("image", "inspect", "--format", "{{json .RootFS.Layers}}", reference)).EnsureSuccess().StandardOutput.Trim();
        var decisionsBefore = await lb.DecisionsAsync();
        var requestsBefore = await lb.RequestsPerServerAsync();
        var setup = watch.Elapsed;

        (await engine.LoginAsync(lb.Haproxy.HostPort, LoadBalancingFixture.User, LoadBalancingFixture.Password)).EnsureSuccess();
        var push = (await engine.RunCliAsync("push", reference)).EnsureSuccess();
        var pushed = DigestLine().Match(push.Output).Groups[1].Value;
        (await engine.RunCliAsync("rmi", reference)).EnsureSuccess();
        var pull = (await engine.RunCliAsync("pull", reference)).EnsureSuccess();
        var pulled = DigestLine().Match(pull.Output).Groups[1].Value;
        var layersAfter = (await engine.RunCliAsync("image", "inspect", "--format", "{{json .RootFS.Layers}}", reference)).EnsureSuccess().StandardOutput.Trim();

        var decisionsAfter = await lb.DecisionsAsync();
        var requests = Delta(requestsBefore, await lb.RequestsPerServerAsync());
        output.WriteLine($"setup {setup.TotalSeconds:F1} s; push {push.Duration.TotalSeconds:F1} s, pull {pull.Duration.TotalSeconds:F1} s; " +
            $"requests per edge (HAProxy): {Describe(requests)}; decisions per edge: {string.Join(", ", decisionsAfter.Select(d => $"{LoadBalancedEdges.NameOf(d.Key)}={d.Value - decisionsBefore[d.Key]}"))}; total {watch.Elapsed.TotalSeconds:F1} s");

        Assert.StartsWith("sha256:", pushed, StringComparison.Ordinal);
        Assert.Equal(pushed, pulled);
        Assert.Equal(layersBefore, layersAfter);
        Assert.All(lb.Edges, edge => Assert.True(decisionsAfter[edge] > decisionsBefore[edge], $"{edge} decided nothing:\n{edge.Process.OutputTail(20)}"));
        Assert.All(requests, r => Assert.True(r.Value > 0, $"HAProxy sent {r.Key} nothing"));
    }

    [Fact]
    public async Task Skopeo_Pushes64MiB_AndPullsItBack_ThroughThreeEdges_RoundRobin_SameDigests()
    {
        var watch = Stopwatch.StartNew();
        await using var lb = await fixture.StartEdgesAsync(3);
        using var temp = TempDirectory.Create();
        var oci = await TestImages.CreateOciLayoutAsync(temp.Combine("oci"), "v1", 64 * MiB, 2 * MiB, 4096);
        var skopeo = Skopeo.Create(temp);
        var reference = $"docker://{lb.Haproxy.HostPort}/lb/skopeo:v1";
        var decisionsBefore = await lb.DecisionsAsync();
        var requestsBefore = await lb.RequestsPerServerAsync();

        // skopeo verifies HAProxy's certificate chain against the test root (--cert-dir).
        var push = (await skopeo.CopyAsync(oci.Reference, reference, fixture.Access(), "--preserve-digests")).EnsureSuccess();
        var pull = (await skopeo.CopyAsync(reference, $"oci:{temp.Combine("pulled")}:v1", fixture.Access(), "--dest-oci-accept-uncompressed-layers")).EnsureSuccess();
        var pulled = await TestImages.ReadOciLayoutAsync(temp.Combine("pulled"), "v1");

        var decisionsAfter = await lb.DecisionsAsync();
        var requests = Delta(requestsBefore, await lb.RequestsPerServerAsync());
        output.WriteLine($"push {push.Duration.TotalSeconds:F1} s, pull {pull.Duration.TotalSeconds:F1} s; requests per edge (HAProxy): {Describe(requests)}; total {watch.Elapsed.TotalSeconds:F1} s");

        Assert.Equal(oci.ManifestDigest, pulled.ManifestDigest);
        Assert.Equal(oci.LayerDigests, pulled.LayerDigests);
        foreach (var layer in pulled.LayerDigests)
        {
            Assert.Equal(layer, await TestImages.DigestOfFileAsync(pulled.BlobPath(layer)));
        }

        Assert.All(lb.Edges, edge => Assert.True(decisionsAfter[edge] > decisionsBefore[edge], $"{edge} decided nothing"));

        // Round-robin per request: the counts differ by little (a retried request or two at most).
        Assert.Equal(3, requests.Count);
        Assert.True(requests.Values.Max() - requests.Values.Min() <= 2, $"not round-robin: {Describe(requests)}");
    }

    [Fact]
    public async Task ChunkedUpload_SpreadOverEdgesAndBothRegistryReplicas_Completes()
    {
        await using var lb = await fixture.StartEdgesAsync(3);
        using var client = TestHttp.CreateClient(lb.Haproxy.BaseUri, fixture.Pki.Root, TimeSpan.FromSeconds(60));
        const string repository = "lb/alternate";
        const int chunks = 6;
        var data = RandomNumberGenerator.GetBytes((int)(chunks * MiB));
        var digest = TestImages.DigestOf(data);
        var requestsBefore = await lb.RequestsPerServerAsync();
        var registryLinesA = fixture.RegistryA.Process.LineCount;
        var registryLinesB = fixture.RegistryB.Process.LineCount;

        using var start = await SendAsync(client, HttpMethod.Post, $"/v2/{repository}/blobs/uploads/");
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var location = start.Headers.Location!;
        Assert.Equal(lb.Haproxy.HostPort, location.IsAbsoluteUri ? location.Authority : lb.Haproxy.HostPort); // never a replica's address
        if (location.IsAbsoluteUri)
        {
            Assert.Equal("https", location.Scheme); // X-Forwarded-Proto from HAProxy, trusted by the edges
        }

        var uuid = Assert.Single(start.Headers.GetValues("Docker-Upload-UUID"));
        for (var i = 0; i < chunks; i++)
        {
            var content = new ByteArrayContent(data, (int)(i * MiB), (int)MiB);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            content.Headers.TryAddWithoutValidation("Content-Range", $"{i * MiB}-{((i + 1) * MiB) - 1}");
            using var patch = await SendAsync(client, HttpMethod.Patch, PathOf(location), content);
            Assert.True(patch.StatusCode == HttpStatusCode.Accepted, $"PATCH {i}: {(int)patch.StatusCode} {await patch.Content.ReadAsStringAsync()}");
            location = patch.Headers.Location!;
        }

        var put = PathOf(location) + (PathOf(location).Contains('?', StringComparison.Ordinal) ? "&" : "?") + "digest=" + Uri.EscapeDataString(digest);
        using var done = await SendAsync(client, HttpMethod.Put, put);
        Assert.True(done.StatusCode == HttpStatusCode.Created, $"PUT: {(int)done.StatusCode} {await done.Content.ReadAsStringAsync()}");
        using var get = await SendAsync(client, HttpMethod.Get, $"/v2/{repository}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(digest, TestImages.DigestOf(await get.Content.ReadAsByteArrayAsync()));

        // The one upload session was carried by several edges and continued on both registry replicas.
        var requests = Delta(requestsBefore, await lb.RequestsPerServerAsync());
        var onA = fixture.RegistryA.Process.Lines.Skip(registryLinesA).Count(l => l.Contains(uuid, StringComparison.Ordinal));
        var onB = fixture.RegistryB.Process.Lines.Skip(registryLinesB).Count(l => l.Contains(uuid, StringComparison.Ordinal));
        output.WriteLine($"upload {uuid}: requests per edge {Describe(requests)}; registry log lines naming it: A {onA}, B {onB}");
        Assert.All(requests, r => Assert.True(r.Value > 0, $"HAProxy sent {r.Key} nothing: {Describe(requests)}"));
        Assert.True(onA > 0 && onB > 0, $"the upload did not alternate between the replicas: A {onA}, B {onB}");
    }

    internal static Dictionary<string, long> Delta(Dictionary<string, long> before, Dictionary<string, long> after) =>
        after.ToDictionary(a => a.Key, a => a.Value - before.GetValueOrDefault(a.Key));

    internal static string Describe(Dictionary<string, long> counts) => string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"));

    private static string PathOf(Uri location) => location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString;

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content, Headers = { Authorization = Auth } };
        return await client.SendAsync(request);
    }

    [GeneratedRegex(@"[Dd]igest: (sha256:[0-9a-f]{64})")]
    private static partial Regex DigestLine();
}
