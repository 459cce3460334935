using System.Globalization;
using System.Text;
using Gateway.Benchmarks.Harness;
using Gateway.Benchmarks.Workloads;

namespace Gateway.Benchmarks.Report;

/// <summary>The report's parts for the curl transfers (issue 18): push-pull-curl and rss-1g, their goals and what bounds them.</summary>
public static partial class ReportWriter
{
    /// <summary>The most one proxy process may grow over its idle VmRSS while a large blob passes (issue 18).</summary>
    private const double RssGrowthLimitMiB = 64;

    private static readonly (string What, Func<CurlTransferResult, double?> Rate)[] CurlGoalRates =
        [("push", c => c.PushMiBPerSecond), ("pull", c => c.PullMiBPerSecond)];

    private static void WritePushPullCurl(StringBuilder md, BenchmarkResults r, List<Goal> goals)
    {
        if (r.PushPullCurl.Count == 0)
        {
            NotMeasured(md, r, "push-pull-curl", "Blob push and pull with curl over HTTP/1.1");
            return;
        }

        md.AppendLine();
        Line(md, $"## `push-pull-curl`: {r.Options.ImageMiB} MiB blob, push and pull with curl over HTTP/1.1");
        md.AppendLine();
        Line(md, $"curl `--http1.1` with Basic credentials, a fresh random {r.Options.ImageMiB} MiB blob each run, the distribution API's requests: *push* = `POST /v2/REPO/blobs/uploads/` "
            + "then `PUT LOCATION&digest=sha256:…` with the whole blob streamed from a file (monolithic, Content-Length); *chunked push* = `POST`, `PATCH` of a second fresh blob as "
            + "`Transfer-Encoding: chunked` (as docker sends a layer), `PUT ?digest=`; *pull* = `GET /v2/REPO/blobs/DIGEST` to a file, its length and digest checked. "
            + "MiB/s = blob size ÷ the wall time of the curl commands (process start and TLS handshake included). Proxy CPU per phase, net of idle. "
            + "RSS: VmRSS of the proxy processes sampled every 50 ms from before the push to after the pull. Repository, blobs and files are deleted after each run.");
        md.AppendLine();
        md.AppendLine("| target | push MiB/s | range | chunked push MiB/s | range | pull MiB/s | range | proxy CPU s push | chunked push | pull | RSS idle MiB | largest growth of one process MiB | errors |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var t in r.Targets)
        {
            var runs = r.PushPullCurl.Where(c => c.Target == t.Name).ToList();
            if (runs.Count == 0)
            {
                Line(md, $"| {t.Name} | not run | | | | | | | | | | | |");
                continue;
            }

            var push = runs.Select(c => c.PushMiBPerSecond ?? double.NaN).ToList();
            var patch = runs.Select(c => c.PatchPushMiBPerSecond ?? double.NaN).ToList();
            var pull = runs.Select(c => c.PullMiBPerSecond ?? double.NaN).ToList();
            string Proxy(Func<CurlTransferResult, double> value, string format) => t.HasProxy ? N(Stats.Median(runs.Select(value)), format) : "—";
            var errors = runs.Where(c => c.Error is not null).Select(c => Escape(c.Error!)).ToList();
            Line(md, $"| {t.Name} | {N(Stats.Median(push), "0.0")} | {RangeText(push, "0.0")} | {N(Stats.Median(patch), "0.0")} | {RangeText(patch, "0.0")} "
                + $"| {N(Stats.Median(pull), "0.0")} | {RangeText(pull, "0.0")} "
                + $"| {Proxy(c => c.PushProxyCpuSeconds ?? double.NaN, "0.00")} | {Proxy(c => c.PatchPushProxyCpuSeconds ?? double.NaN, "0.00")} | {Proxy(c => c.PullProxyCpuSeconds ?? double.NaN, "0.00")} "
                + $"| {Proxy(c => (c.Rss?.IdleSum ?? double.NaN) / MiB, "0")} | {(t.HasProxy ? N(runs.Max(c => (c.Rss?.MaxProcessGrowth ?? 0) / MiB), "0") : "—")} "
                + $"| {(errors.Count == 0 ? "0" : string.Join("; ", errors))} |");
        }

        foreach (var gateway in r.Targets.Where(t => t.IsGateway))
        {
            foreach (var (what, rate) in CurlGoalRates)
            {
                var ratios = PerRoundRatios(r.PushPullCurl, r.Options.Rounds, c => c.Target, c => c.Round, gateway.Name, TargetNames.NginxTls, rate);
                if (ratios.Count > 0)
                {
                    goals.Add(new Goal("push-pull-curl", $"{what} (curl, HTTP/1.1): {gateway.Name} ≥ 1.0 × nginx-tls (MiB/s)", gateway.Name, Ratio(ratios), Stats.Median(ratios) >= 1.0, $"push-pull-curl:{what}:{gateway.Name}"));
                }
            }
        }
    }

    private static void WriteRssBlob(StringBuilder md, BenchmarkResults r, List<Goal> goals)
    {
        if (r.RssBlob.Count == 0)
        {
            NotMeasured(md, r, "rss-1g", "Resident memory while a large blob passes");
            return;
        }

        var size = BlobSize(r.Options.RssBlobMiB);
        md.AppendLine();
        Line(md, $"## `rss-1g`: resident memory while a {size} blob passes");
        md.AppendLine();
        Line(md, $"One fresh random {size} blob pushed (`POST`, monolithic `PUT`) and pulled (`GET`, digest checked) with curl over HTTP/1.1 through each target with proxy processes, "
            + "once (not per round), after one unmeasured 32 MiB blob through the same target (so the first transfer's buffer pools and JIT are not counted as growth). "
            + "VmRSS of every proxy process sampled every 50 ms from before the push to after the pull; *growth* = a process's peak over its own VmRSS before the push. "
            + "Memory that grows with the blob (buffering a body) would show here as hundreds of MiB.");
        md.AppendLine();
        md.AppendLine("| target | push MiB/s | pull MiB/s | RSS idle → peak MiB, each process | largest growth of one process MiB | errors |");
        md.AppendLine("| --- | ---: | ---: | --- | ---: | --- |");
        foreach (var t in r.Targets)
        {
            var run = r.RssBlob.FirstOrDefault(c => c.Target == t.Name);
            if (run is null)
            {
                Line(md, $"| {t.Name} | {(t.HasProxy ? "not run" : "— (no proxy process)")} | | | | |");
                continue;
            }

            var processes = string.Join("; ", (run.Rss?.Processes ?? []).Select(p => $"{p.Name} {p.Pid}: {N(p.Idle / MiB, "0")} → {N(p.Peak / MiB, "0")} (+{N(p.Growth / MiB, "0")})"));
            Line(md, $"| {t.Name} | {N(run.PushMiBPerSecond ?? double.NaN, "0.0")} | {N(run.PullMiBPerSecond ?? double.NaN, "0.0")} | {Escape(processes)} "
                + $"| {N((run.Rss?.MaxProcessGrowth ?? double.NaN) / MiB, "0")} | {(run.Error is null ? "0" : Escape(run.Error))} |");
        }

        foreach (var gateway in r.Targets.Where(t => t.IsGateway))
        {
            if (r.RssBlob.FirstOrDefault(c => c.Target == gateway.Name) is { Rss: { } rss, Error: null })
            {
                var growth = rss.MaxProcessGrowth / MiB;
                var largest = rss.Processes.MaxBy(p => p.Growth);
                goals.Add(new Goal(
                    "rss-1g",
                    $"{gateway.Name}: peak RSS growth < {RssGrowthLimitMiB:0} MiB on a {size} blob (curl push + pull)",
                    gateway.Name,
                    $"largest growth {N(growth, "0")} MiB" + (largest is null ? "" : $" ({largest.Name} {largest.Pid})"),
                    growth < RssGrowthLimitMiB,
                    $"rss-1g:{gateway.Name}"));
            }
        }
    }

    /// <summary>For each curl goal missed: CPU per MiB of the gateway, nginx-tls, Kestrel + YARP alone and the registry alone.</summary>
    private static void WriteCurlBounds(StringBuilder md, BenchmarkResults r, List<Goal> missed)
    {
        foreach (var group in missed.Where(g => g.Category == "push-pull-curl").GroupBy(g => g.Target))
        {
            foreach (var goal in group)
            {
                md.AppendLine();
                Line(md, $"**{goal.Text}** — measured {goal.Measured}.");
            }

            md.AppendLine();
            md.AppendLine("| target | push MiB/s | chunked push MiB/s | pull MiB/s | proxy CPU ms per MiB pushed | per MiB pushed chunked | per MiB pulled |");
            md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var name in new[] { group.Key, TargetNames.NginxTls, TargetNames.YarpFloor, TargetNames.Direct }.Distinct())
            {
                var runs = r.PushPullCurl.Where(c => c.Target == name).ToList();
                if (runs.Count == 0)
                {
                    continue;
                }

                string PerMiB(Func<CurlTransferResult, double?> cpu) => N(Stats.Median(runs.Select(c => (cpu(c) ?? double.NaN) * 1000 / c.MiB)), "0.0");
                Line(md, $"| {name} | {N(Stats.Median(runs.Select(c => c.PushMiBPerSecond ?? double.NaN)), "0.0")} | {N(Stats.Median(runs.Select(c => c.PatchPushMiBPerSecond ?? double.NaN)), "0.0")} "
                    + $"| {N(Stats.Median(runs.Select(c => c.PullMiBPerSecond ?? double.NaN)), "0.0")} | {PerMiB(c => c.PushProxyCpuSeconds)} | {PerMiB(c => c.PatchPushProxyCpuSeconds)} | {PerMiB(c => c.PullProxyCpuSeconds)} |");
            }

            md.AppendLine();
            md.AppendLine("curl, the registry (hashing and writing every byte) and the proxy share the cores: a proxy that spends more CPU per MiB than nginx leaves less for the other two. "
                + "`yarp-floor` (when in the run) is what Kestrel + YARP alone spend per MiB over HTTP/1.1; `direct` (no proxy) has no proxy CPU.");
        }

        foreach (var goal in missed.Where(g => g.Category == "rss-1g"))
        {
            md.AppendLine();
            Line(md, $"**{goal.Text}** — measured {goal.Measured}. Growth that scales with the blob means a body is being buffered somewhere (request body, response, a copy "
                + "stream's pool); the per-process figures are in the `rss-1g` table, and `dotnet-gcdump collect -p PID` during the transfer shows what holds it.");
        }
    }

    /// <summary>The per-round ratios a ÷ b of a rate (rounds where either is missing or b is 0 are left out).</summary>
    private static List<double> PerRoundRatios<T>(IReadOnlyList<T> results, int rounds, Func<T, string> target, Func<T, int> round, string a, string b, Func<T, double?> rate)
        where T : class =>
    [
        .. Enumerable.Range(1, rounds)
            .Select(n => (A: results.FirstOrDefault(x => target(x) == a && round(x) == n), B: results.FirstOrDefault(x => target(x) == b && round(x) == n)))
            .Where(x => x.A is not null && x.B is not null && rate(x.A) is not null && rate(x.B) is > 0)
            .Select(x => rate(x.A!)!.Value / rate(x.B!)!.Value),
    ];

    private static string BlobSize(int mib) => mib % 1024 == 0 ? string.Create(CultureInfo.InvariantCulture, $"{mib / 1024} GiB") : string.Create(CultureInfo.InvariantCulture, $"{mib} MiB");
}
