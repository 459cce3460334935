using System.Globalization;
using Gateway.Benchmarks.Harness;

namespace Gateway.Benchmarks.Workloads;

/// <summary>
/// <c>rss-1g</c>: one blob of <c>--rss-blob-mib</c> (1 GiB) pushed monolithically and pulled with curl over HTTP/1.1
/// through every target that has proxy processes, once each (not per round), sampling each proxy process's VmRSS every
/// 50 ms: memory that grows with the blob would show here, not with 256 MiB. Each target first moves one unmeasured
/// 32 MiB blob, so the growth measured is what the large blob adds, not the first transfer's buffer pools and JIT.
/// </summary>
public static class RssBlob
{
    private const long MiB = 1024 * 1024;

    /// <summary>Why it cannot run here (not enough free disk for the blob, its pulled copy and the registry's), or null.</summary>
    public static string? WhyNot(RunContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var needed = (4L * context.Options.RssBlobMiB * MiB) + (1024 * MiB);
        var free = new DriveInfo(context.Stack.Temp.Path).AvailableFreeSpace;
        return free < needed
            ? string.Create(CultureInfo.InvariantCulture, $"not measured: {free / MiB} MiB free under {context.Stack.Temp.Path}, {needed / MiB} MiB needed (the blob, its pulled copy, the registry's upload and blob).")
            : null;
    }

    public static async Task<List<CurlTransferResult>> RunAsync(RunContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var results = new List<CurlTransferResult>();
        foreach (var target in context.Stack.Targets.Where(t => t.ProxyProcesses.Count > 0))
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var warm = await CurlBlobTransfer.RunOnceAsync(context, target, $"rss-warm-{target.Name}", 0, Math.Min(32, context.Options.RssBlobMiB), chunked: false).ConfigureAwait(false);
            if (warm.Error is not null)
            {
                context.Log.WriteLine($"  warm-up through {target.Name}: {warm.Error}");
            }

            var result = await CurlBlobTransfer.RunOnceAsync(context, target, $"rss-{target.Name}", 1, context.Options.RssBlobMiB, chunked: false).ConfigureAwait(false);
            results.Add(result);
            var processes = string.Join(", ", (result.Rss?.Processes ?? []).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Name} {p.Pid} {p.Idle / (double)MiB:0}→{p.Peak / (double)MiB:0} MiB")));
            context.Log.WriteLine(
                $"  rss-1g {target.Name,-16} push {PushPullCurl.Rate(result.PushMiBPerSecond)} MiB/s  pull {PushPullCurl.Rate(result.PullMiBPerSecond)} MiB/s  RSS {processes}"
                + (result.Error is null ? "" : "  ERROR " + result.Error));
        }

        return results;
    }
}
