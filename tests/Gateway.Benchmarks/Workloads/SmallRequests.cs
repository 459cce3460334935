using System.Globalization;
using Gateway.Benchmarks.Harness;
using Gateway.Benchmarks.Load;
using Gateway.Benchmarks.Targets;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.Benchmarks.Workloads;

/// <summary>One kind of small authenticated request, at one connection count.</summary>
/// <param name="Key">The report's name, e.g. <c>head-manifest-c32</c>.</param>
public sealed record SmallWorkload(string Key, string Title, HttpMethod Method, string Path, string? Accept, int Connections);

/// <summary>One run of a small-request workload against one target in one round.</summary>
public sealed record SmallResult(SmallWorkload Workload, string Target, int Round, LoadResult Load)
{
    /// <summary>Proxy CPU per request in µs (null for the registry alone).</summary>
    public double? ProxyMicrosPerRequest(bool hasProxy) => hasProxy && Load is { Requests: > 0, Cpu: { } c } ? c.ProxyNet / Load.Requests * 1e6 : null;

    public double? RegistryMicrosPerRequest => Load is { Requests: > 0, Cpu: { } c } ? c.Registry / Load.Requests * 1e6 : null;

    public double? ClientMicrosPerRequest => Load is { Requests: > 0, Cpu: { } c } ? c.Client / Load.Requests * 1e6 : null;
}

/// <summary>
/// Authenticated small requests: <c>GET /v2/</c>, <c>HEAD</c> and <c>GET</c> of a manifest (OCI media type accepted),
/// <c>HEAD</c> of a blob; each with 1 and with N connections; rounds × workloads × targets, targets interleaved.
/// </summary>
public static class SmallRequests
{
    public const string Repository = "bench/small";
    public const string Tag = "v1";

    /// <summary>Pushes the small image every target serves (through the registry directly) and returns its layer digest.</summary>
    public static async Task<OciImage> PrepareAsync(RunContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var temp = context.Stack.Temp;
        var image = await TestImages.CreateOciLayoutAsync(temp.Combine("small-image"), Tag, 16 * 1024).ConfigureAwait(false);
        var skopeo = Skopeo.Create(temp);
        (await skopeo.CopyAsync(
            image.Reference,
            $"docker://{context.Stack.Registry.HostPort}/{Repository}:{Tag}",
            new SkopeoAccess(TlsVerify: false),
            "--preserve-digests").ConfigureAwait(false)).EnsureSuccess();
        return image;
    }

    public static IReadOnlyList<SmallWorkload> Workloads(OciImage image, int connections)
    {
        ArgumentNullException.ThrowIfNull(image);
        var manifest = $"/v2/{Repository}/manifests/{Tag}";
        var blob = $"/v2/{Repository}/blobs/{image.LayerDigests[0]}";
        var byDigest = $"/v2/{Repository}/manifests/{image.ManifestDigest}";
        var list = new List<SmallWorkload>();
        foreach (var c in new[] { 1, connections }.Distinct())
        {
            var suffix = string.Create(CultureInfo.InvariantCulture, $"c{c}");
            var conns = c == 1 ? "1 connection" : string.Create(CultureInfo.InvariantCulture, $"{c} connections");
            list.Add(new($"get-v2-{suffix}", $"GET /v2/, {conns}", HttpMethod.Get, "/v2/", null, c));
            list.Add(new($"head-manifest-{suffix}", $"HEAD manifest (OCI), {conns}", HttpMethod.Head, manifest, TestImages.ManifestMediaType, c));
            list.Add(new($"get-manifest-{suffix}", $"GET manifest (OCI), {conns}", HttpMethod.Get, manifest, TestImages.ManifestMediaType, c));
            list.Add(new($"get-manifest-digest-{suffix}", $"GET manifest by digest (OCI), {conns}", HttpMethod.Get, byDigest, TestImages.ManifestMediaType, c));
            list.Add(new($"head-blob-{suffix}", $"HEAD blob, {conns}", HttpMethod.Head, blob, null, c));
        }

        return list;
    }

    public static async Task<List<SmallResult>> RunAsync(RunContext context, IReadOnlyList<SmallWorkload> workloads)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(workloads);
        var o = context.Options;
        var results = new List<SmallResult>();
        var authorization = LoadGenerator.Basic(BenchmarkStack.User, BenchmarkStack.Password);
        for (var round = 1; round <= o.Rounds; round++)
        {
            foreach (var workload in workloads)
            {
                foreach (var target in context.Stack.Targets)
                {
                    context.CancellationToken.ThrowIfCancellationRequested();
                    await context.SettleAsync().ConfigureAwait(false);
                    var load = await LoadGenerator.RunAsync(
                        new LoadSpec
                        {
                            Url = new Uri(target.BaseUri, workload.Path),
                            Method = workload.Method,
                            Accept = workload.Accept,
                            Authorization = _ => authorization,
                            Connections = workload.Connections,
                            Warmup = TimeSpan.FromSeconds(o.WarmupSeconds),
                            Duration = TimeSpan.FromSeconds(o.Seconds),
                        },
                        context.CpuMeterFor(target),
                        context.CancellationToken).ConfigureAwait(false);
                    var result = new SmallResult(workload, target.Name, round, load);
                    results.Add(result);
                    context.Log.WriteLine(string.Create(
                        CultureInfo.InvariantCulture,
                        $"  round {round} {workload.Key,-18} {target.Name,-16} {load.RequestsPerSecond,9:0.0} req/s  p50 {load.P50Milliseconds,7:0.00} ms  p99 {load.P99Milliseconds,8:0.00} ms  "
                        + $"proxy {Micros(result.ProxyMicrosPerRequest(target.ProxyProcesses.Count > 0))} µs/req{(load.Errors > 0 ? $"  ERRORS {load.Errors} ({load.StatusSummary})" : "")}"));
                }
            }
        }

        return results;
    }

    private static string Micros(double? value) => value is { } v ? v.ToString("0", CultureInfo.InvariantCulture) : "-";
}
