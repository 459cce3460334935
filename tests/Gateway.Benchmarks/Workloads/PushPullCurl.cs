using System.Globalization;
using Gateway.Benchmarks.Harness;

namespace Gateway.Benchmarks.Workloads;

/// <summary>
/// <c>push-pull-curl</c>: a fresh random blob of <c>--image-mib</c> pushed (monolithic <c>PUT</c>, and chunked
/// <c>PATCH</c> as docker sends layers) and pulled with curl over HTTP/1.1 through every target, round by round, beside
/// skopeo's <c>push-pull</c> (which speaks HTTP/2 where the target offers it).
/// </summary>
public static class PushPullCurl
{
    public static async Task<List<CurlTransferResult>> RunAsync(RunContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        // Unmeasured, as in push-pull: Kestrel's HTTP/1.1 body paths are other code than HTTP/2's, and a node that has
        // run for a while has them compiled with full optimisation (tiered JIT).
        var (warmups, warmMiB) = context.Options.Quick ? (1, Math.Min(32, context.Options.ImageMiB)) : (2, 32);
        context.Log.WriteLine($"  warming the HTTP/1.1 transfer paths ({warmups} × {warmMiB} MiB with curl through every target, not measured)…");
        foreach (var target in context.Stack.Targets)
        {
            for (var i = 1; i <= warmups; i++)
            {
                var warm = await CurlBlobTransfer.RunOnceAsync(context, target, $"curl-warm{i}-{target.Name}", 0, warmMiB, chunked: true).ConfigureAwait(false);
                if (warm.Error is not null)
                {
                    context.Log.WriteLine($"  warm-up through {target.Name}: {warm.Error}");
                }
            }
        }

        var results = new List<CurlTransferResult>();
        for (var round = 1; round <= context.Options.Rounds; round++)
        {
            foreach (var target in context.Stack.Targets)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                var result = await CurlBlobTransfer.RunOnceAsync(context, target, $"curl-{target.Name}-{round}", round, context.Options.ImageMiB, chunked: true).ConfigureAwait(false);
                results.Add(result);
                context.Log.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"  round {round} push-pull-curl {target.Name,-16} push {Rate(result.PushMiBPerSecond)} MiB/s  chunked push {Rate(result.PatchPushMiBPerSecond)} MiB/s  pull {Rate(result.PullMiBPerSecond)} MiB/s  "
                    + $"proxy CPU push {result.PushProxyCpuSeconds:0.00} s chunked {result.PatchPushProxyCpuSeconds:0.00} s pull {result.PullProxyCpuSeconds:0.00} s  "
                    + $"RSS largest growth {(result.Rss?.MaxProcessGrowth ?? 0) / (1024.0 * 1024):0} MiB{(result.Error is null ? "" : "  ERROR " + result.Error)}"));
            }
        }

        return results;
    }

    internal static string Rate(double? value) => value is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) : "-";
}
