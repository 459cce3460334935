using System.Diagnostics;
using System.Globalization;
using Gateway.Benchmarks.Harness;
using Gateway.Benchmarks.Load;
using Gateway.Benchmarks.Targets;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.Benchmarks.Workloads;

/// <summary>One push and pull of a fresh image through one target.</summary>
public sealed record PushPullResult(
    string Target,
    int Round,
    double MiB,
    TimeSpan? Push,
    TimeSpan? Pull,
    RssPeaks? Rss,
    double ProxyCpuSeconds,
    string? Error)
{
    /// <summary>The proxy's CPU seconds during the push alone (net of idle); the rest of <see cref="ProxyCpuSeconds"/> is the pull's.</summary>
    public double? PushProxyCpuSeconds { get; init; }

    public double? PushMiBPerSecond => Push is { } p ? MiB / p.TotalSeconds : null;

    public double? PullMiBPerSecond => Pull is { } p ? MiB / p.TotalSeconds : null;
}

/// <summary>
/// A push and a pull of an image of fresh random layers (nothing can be deduplicated or mounted) with skopeo
/// (<c>--preserve-digests</c>: no recompression), timing each, and sampling the proxy processes' VmRSS every 50 ms.
/// The image, the pulled copy and the registry's copy are deleted afterwards, so the disk does not fill up.
/// </summary>
public static class PushPull
{
    private const long MiB = 1024 * 1024;

    public static async Task<List<PushPullResult>> RunAsync(RunContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var results = new List<PushPullResult>();

        // Unmeasured: two small copies through every target first, so that the gateway's upload and download paths are
        // compiled with full optimisation (tiered JIT), as in a node that has run for a while; nginx has no warm-up to do.
        // Measured without it, the first round's push through a fresh node spent about twice the CPU of the next.
        context.Log.WriteLine("  warming the transfer paths (2 × 32 MiB through every target, not measured)…");
        foreach (var target in context.Stack.Targets)
        {
            for (var i = 0; i < 2; i++)
            {
                var warm = await RunOnceAsync(context, target, -i, imageMiB: 32).ConfigureAwait(false);
                if (warm.Error is not null)
                {
                    context.Log.WriteLine($"  warm-up through {target.Name}: {warm.Error}");
                }
            }
        }

        for (var round = 1; round <= context.Options.Rounds; round++)
        {
            foreach (var target in context.Stack.Targets)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                var result = await RunOnceAsync(context, target, round).ConfigureAwait(false);
                results.Add(result);
                context.Log.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"  round {round} push-pull {target.Name,-16} push {Rate(result.PushMiBPerSecond)} MiB/s  pull {Rate(result.PullMiBPerSecond)} MiB/s  "
                    + $"proxy CPU push {result.PushProxyCpuSeconds:0.00} s pull {result.ProxyCpuSeconds - result.PushProxyCpuSeconds:0.00} s  RSS idle {Mb(result.Rss?.IdleSum)} → peak {Mb(result.Rss?.PeakSum)} MiB{(result.Error is null ? "" : "  ERROR " + result.Error)}"));
            }
        }

        return results;
    }

    private static async Task<PushPullResult> RunOnceAsync(RunContext context, Target target, int round, int? imageMiB = null)
    {
        var o = context.Options;
        var mib = imageMiB ?? o.ImageMiB;
        var temp = context.Stack.Temp;
        var work = temp.CreateSubdirectory($"push-pull-{target.Name}-{round}");
        var repository = $"bench/pp-{target.Name}-{round}";
        var reference = $"docker://{target.HostPort}/{repository}:v1";
        var access = target.Tls
            ? new SkopeoAccess(BenchmarkStack.User, BenchmarkStack.Password, context.Stack.Pki.CertDirectory)
            : new SkopeoAccess(BenchmarkStack.User, BenchmarkStack.Password, TlsVerify: false);
        var skopeo = Skopeo.Create(temp);
        skopeo.Timeout = TimeSpan.FromMinutes(10);
        OciImage? image = null;
        try
        {
            var layer = Math.Min(mib, 64) * MiB;
            var sizes = new List<long>();
            for (var left = mib * MiB; left > 0; left -= layer)
            {
                sizes.Add(Math.Min(layer, left));
            }

            image = await TestImages.CreateOciLayoutAsync(Path.Combine(work, "source"), "v1", [.. sizes]).ConfigureAwait(false);
            await context.SettleAsync().ConfigureAwait(false);
            var cpuBefore = ProcFs.CpuSeconds(target.ProxyPids());
            await using var rss = RssSampler.Start(target.ProxyPids());
            var total = Stopwatch.StartNew();

            var watch = Stopwatch.StartNew();
            var push = await skopeo.CopyAsync(image.Reference, reference, access, "--preserve-digests").ConfigureAwait(false);
            var pushTime = watch.Elapsed;
            var pushCpu = Math.Max(0, ProcFs.CpuSeconds(target.ProxyPids()) - cpuBefore - (context.IdleProxyCores.GetValueOrDefault(target.Name) * total.Elapsed.TotalSeconds));
            if (!push.Succeeded)
            {
                return new PushPullResult(target.Name, round, mib, null, null, await rss.StopAsync().ConfigureAwait(false), 0, "push: " + Last(push.StandardError));
            }

            watch.Restart();
            var pull = await skopeo.CopyAsync(reference, $"oci:{Path.Combine(work, "pulled")}:v1", access, "--dest-oci-accept-uncompressed-layers").ConfigureAwait(false);
            var pullTime = watch.Elapsed;
            var peaks = await rss.StopAsync().ConfigureAwait(false);
            var idle = context.IdleProxyCores.GetValueOrDefault(target.Name) * total.Elapsed.TotalSeconds;
            var cpu = Math.Max(0, ProcFs.CpuSeconds(target.ProxyPids()) - cpuBefore - idle);
            return pull.Succeeded
                ? new PushPullResult(target.Name, round, mib, pushTime, pullTime, peaks, cpu, null) { PushProxyCpuSeconds = pushCpu }
                : new PushPullResult(target.Name, round, mib, pushTime, null, peaks, cpu, "pull: " + Last(pull.StandardError)) { PushProxyCpuSeconds = pushCpu };
        }
        finally
        {
            RegistryStorage.DeleteQuietly(work);
            if (image is not null)
            {
                RegistryStorage.Remove(context.Stack.Registry.StorageDirectory, repository, [image.ManifestDigest, image.ConfigDigest, .. image.LayerDigests]);
            }
        }
    }

    private static string Last(string text) => text.Trim().Split('\n').LastOrDefault()?.Trim() ?? "";

    private static string Rate(double? value) => value is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) : "-";

    private static string Mb(long? bytes) => bytes is { } b ? (b / (double)MiB).ToString("0", CultureInfo.InvariantCulture) : "-";
}
