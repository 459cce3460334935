using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Gateway.Benchmarks.Harness;
using Gateway.Benchmarks.Load;
using Gateway.Benchmarks.Targets;
using Gateway.EndToEnd.Tests.DirectAuth;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.Benchmarks.Workloads;

/// <summary>The image every fleet client pulls: an OCI index by tag, one platform manifest, a config and three layers.</summary>
public sealed record FleetImage(string Tag, string IndexDigest, OciImage Image);

/// <summary>One fleet-pull run against one target in one round, in one mode.</summary>
/// <param name="Mode"><c>warm</c>: the runners hold the layers (kubelet's <c>imagePullPolicy: Always</c>, a CI job's <c>docker pull</c>); <c>cold</c>: new runners.</param>
public sealed record FleetPullResult(string Target, int Round, string Mode, int Pulls, long Requests, long CacheHits, TimeSpan Wall, double RegistryCpuSeconds, double ProxyCpuSeconds, long Errors)
{
    /// <summary>Requests that reached the registry per pulled image: those sent, less those the edge answered from memory.</summary>
    public double RegistryRequestsPerPull => Pulls > 0 ? (Requests - CacheHits) / (double)Pulls : double.NaN;

    public double RegistryCpuMsPerPull => Pulls > 0 ? RegistryCpuSeconds / Pulls * 1e3 : double.NaN;

    public double ProxyCpuMsPerPull => Pulls > 0 ? ProxyCpuSeconds / Pulls * 1e3 : double.NaN;

    public double PullsPerSecond => Wall > TimeSpan.Zero ? Pulls / Wall.TotalSeconds : 0;
}

/// <summary>
/// N clients pulling one multi-layer image by tag, with the requests containerd's resolver and fetcher send (docker
/// pull, kubelet): <c>HEAD</c> of the tag, <c>GET</c> of the index by digest, <c>GET</c> of the platform manifest by
/// digest, then, on a runner that does not hold them yet (<c>cold</c>), the config and every layer. Counts the requests
/// that reached the registry (sent, less the edge cache's hits from the nodes' <c>/metrics</c>) and the registry's CPU.
/// </summary>
public static class FleetPull
{
    public const string Repository = "bench/fleet";

    private const string Accept = "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, "
        + "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";

    /// <summary>Pushes the image and an index over it by tag, straight into the registry.</summary>
    public static async Task<FleetImage> PrepareAsync(RunContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var temp = context.Stack.Temp;
        var image = await TestImages.CreateOciLayoutAsync(temp.Combine("fleet-image"), "platform", 64 * 1024, 256 * 1024, 1024 * 1024).ConfigureAwait(false);
        var skopeo = Skopeo.Create(temp);
        (await skopeo.CopyAsync(image.Reference, $"docker://{context.Stack.Registry.HostPort}/{Repository}:platform", new SkopeoAccess(TlsVerify: false), "--preserve-digests").ConfigureAwait(false)).EnsureSuccess();
        var manifestSize = new FileInfo(image.BlobPath(image.ManifestDigest)).Length;
        var index = Encoding.UTF8.GetBytes(
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{\"mediaType\":\"" + TestImages.ManifestMediaType
            + "\",\"digest\":\"" + image.ManifestDigest + "\",\"size\":" + manifestSize.ToString(CultureInfo.InvariantCulture)
            + ",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}");
        using var http = new HttpClient { BaseAddress = context.Stack.Registry.BaseUrl };
        using var content = new ByteArrayContent(index);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.oci.image.index.v1+json");
        using var put = await http.PutAsync(new Uri($"/v2/{Repository}/manifests/v1", UriKind.Relative), content, context.CancellationToken).ConfigureAwait(false);
        if (put.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"fleet-pull: the index was refused: {(int)put.StatusCode} {await put.Content.ReadAsStringAsync(context.CancellationToken).ConfigureAwait(false)}");
        }

        return new FleetImage("v1", TestImages.DigestOf(index), image);
    }

    public static async Task<List<FleetPullResult>> RunAsync(RunContext context, FleetImage image)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(image);
        var results = new List<FleetPullResult>();
        for (var round = 1; round <= context.Options.Rounds; round++)
        {
            foreach (var mode in new[] { "warm", "cold" })
            {
                foreach (var target in context.Stack.Targets)
                {
                    context.CancellationToken.ThrowIfCancellationRequested();
                    await context.SettleAsync().ConfigureAwait(false);
                    var result = await RunOnceAsync(context, target, image, round, mode).ConfigureAwait(false);
                    results.Add(result);
                    context.Log.WriteLine(string.Create(
                        CultureInfo.InvariantCulture,
                        $"  round {round} fleet-pull {mode} {target.Name,-16} {result.PullsPerSecond,7:0.0} pulls/s  registry {result.RegistryRequestsPerPull:0.00} req/pull "
                        + $"{result.RegistryCpuMsPerPull:0.00} ms CPU/pull  proxy {result.ProxyCpuMsPerPull:0.00} ms CPU/pull{(result.Errors > 0 ? $"  ERRORS {result.Errors}" : "")}"));
                }
            }
        }

        return results;
    }

    private static async Task<FleetPullResult> RunOnceAsync(RunContext context, Target target, FleetImage image, int round, string mode)
    {
        var o = context.Options;
        var authorization = LoadGenerator.Basic(BenchmarkStack.User, BenchmarkStack.Password);
        var paths = new List<(HttpMethod Method, string Path)>
        {
            (HttpMethod.Head, $"/v2/{Repository}/manifests/{image.Tag}"),
            (HttpMethod.Get, $"/v2/{Repository}/manifests/{image.IndexDigest}"),
            (HttpMethod.Get, $"/v2/{Repository}/manifests/{image.Image.ManifestDigest}"),
        };
        if (mode == "cold")
        {
            paths.AddRange(new[] { image.Image.ConfigDigest }.Concat(image.Image.LayerDigests).Select(d => (HttpMethod.Get, $"/v2/{Repository}/blobs/{d}")));
        }

        var hitsBefore = await CacheHitsAsync(target).ConfigureAwait(false);
        var registryBefore = ProcFs.CpuSeconds(context.Stack.RegistryPids());
        var proxyBefore = ProcFs.CpuSeconds(target.ProxyPids());
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(o.FleetSeconds));
        long requests = 0, errors = 0;
        var pulls = 0;
        var watch = Stopwatch.StartNew();

        async Task ClientAsync()
        {
            // One runner: its own connection (a new TLS session), docker's preemptive Basic credentials.
            using var handler = LoadGenerator.CreateHandler(1, null);
            using var http = new HttpClient(handler) { BaseAddress = target.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
            var buffer = new byte[64 * 1024];
            for (var pull = 0; pull < o.FleetPulls && !deadline.IsCancellationRequested; pull++)
            {
                var ok = true;
                foreach (var (method, path) in paths)
                {
                    using var request = new HttpRequestMessage(method, path) { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
                    request.Headers.TryAddWithoutValidation("Authorization", authorization);
                    request.Headers.TryAddWithoutValidation("Accept", Accept);
                    Interlocked.Increment(ref requests);
                    try
                    {
                        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
                        await using var body = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
                        while (await body.ReadAsync(buffer, deadline.Token).ConfigureAwait(false) > 0)
                        {
                        }

                        ok &= response.StatusCode == HttpStatusCode.OK;
                    }
                    catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
                    {
                        ok = false;
                        break;
                    }
                }

                if (ok)
                {
                    Interlocked.Increment(ref pulls);
                }
                else
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, o.FleetClients).Select(_ => Task.Run(ClientAsync))).ConfigureAwait(false);
        var wall = watch.Elapsed;
        var registryCpu = ProcFs.CpuSeconds(context.Stack.RegistryPids()) - registryBefore;
        var proxyCpu = Math.Max(0, ProcFs.CpuSeconds(target.ProxyPids()) - proxyBefore - (context.IdleProxyCores.GetValueOrDefault(target.Name) * wall.TotalSeconds));
        var hits = await CacheHitsAsync(target).ConfigureAwait(false) - hitsBefore;
        return new FleetPullResult(target.Name, round, mode, pulls, requests, hits, wall, registryCpu, proxyCpu, errors);
    }

    /// <summary>The edge cache's hits over the target's nodes (0 for anything but a gateway).</summary>
    private static async Task<long> CacheHitsAsync(Target target) =>
        target.GatewayNodes.Count == 0 ? 0 : (long)await Metrics.SumAsync(target.GatewayNodes, "gateway_cache_lookups_total", "result=\"hit\"").ConfigureAwait(false);
}
