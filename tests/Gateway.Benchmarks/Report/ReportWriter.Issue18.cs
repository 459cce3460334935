using System.Globalization;
using System.Text;
using Gateway.Benchmarks.Harness;
using Gateway.Benchmarks.Workloads;

namespace Gateway.Benchmarks.Report;

/// <summary>The report's parts for issue 18: fleet-pull, and the gateway's CPU per request against yarp-floor.</summary>
public static partial class ReportWriter
{
    private static bool IsCacheTarget(string name) => name.EndsWith("-cache", StringComparison.Ordinal);

    private static void WriteFleetPull(StringBuilder md, BenchmarkResults r, List<Goal> goals)
    {
        WriteFloorComparison(md, r);
        if (r.FleetPull.Count == 0)
        {
            NotMeasured(md, r, "fleet-pull", "N clients pulling one image by tag");
            return;
        }

        md.AppendLine();
        Line(md, $"## `fleet-pull`: {r.Options.FleetClients} clients pulling one multi-layer image by tag");
        md.AppendLine();
        Line(md, $"Each client is one runner (its own connection and TLS session) making {r.Options.FleetPulls} pulls of `{FleetPull.Repository}:v1` (an OCI index over one "
            + "linux/amd64 manifest: a config and layers of 64 KiB, 256 KiB and 1 MiB) with the requests containerd sends: `HEAD` of the tag, `GET` of the index by digest, "
            + "`GET` of the platform manifest by digest; *cold* runners then fetch the config and every layer, *warm* runners hold them already (kubelet's "
            + "`imagePullPolicy: Always`, a CI job's `docker pull` of an image it has). *registry req/pull*: the requests sent less the edge cache's hits "
            + "(`gateway_cache_lookups_total{result=\"hit\"}` of the target's nodes); *registry CPU*: the registry process over the run.");
        foreach (var mode in new[] { "warm", "cold" })
        {
            md.AppendLine();
            Line(md, $"### {mode} runners");
            md.AppendLine();
            md.AppendLine("| target | pulls/s | range | registry req/pull | registry CPU ms/pull | proxy CPU ms/pull (net of idle) | errors |");
            md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | --- |");
            foreach (var t in r.Targets)
            {
                var runs = r.FleetPull.Where(f => f.Target == t.Name && f.Mode == mode).ToList();
                if (runs.Count == 0)
                {
                    Line(md, $"| {t.Name} | not run | | | | | |");
                    continue;
                }

                var rate = runs.Select(f => f.PullsPerSecond).ToList();
                Line(md, $"| {t.Name} | {N(Stats.Median(rate), "0.0")} | {RangeText(rate, "0.0")} | {N(Stats.Median(runs.Select(f => f.RegistryRequestsPerPull)), "0.00")} "
                    + $"| {N(Stats.Median(runs.Select(f => f.RegistryCpuMsPerPull)), "0.00")} | {(t.HasProxy ? N(Stats.Median(runs.Select(f => f.ProxyCpuMsPerPull)), "0.00") : "—")} "
                    + $"| {runs.Sum(f => f.Errors)} |");
            }
        }

        foreach (var cached in r.Targets.Where(t => IsCacheTarget(t.Name)))
        {
            var plain = cached.Name[..^"-cache".Length];
            var ratios = Enumerable.Range(1, r.Options.Rounds)
                .Select(round => (
                    A: r.FleetPull.FirstOrDefault(f => f.Target == cached.Name && f.Round == round && f.Mode == "warm"),
                    B: r.FleetPull.FirstOrDefault(f => f.Target == plain && f.Round == round && f.Mode == "warm")))
                .Where(x => x.A is not null && x.B is { RegistryRequestsPerPull: > 0 })
                .Select(x => x.A!.RegistryRequestsPerPull / x.B!.RegistryRequestsPerPull)
                .ToList();
            if (ratios.Count > 0)
            {
                goals.Add(new Goal("fleet-pull", $"fleet-pull (warm): registry requests per pulled image through {cached.Name} ≤ 0.5 × {plain}", cached.Name, Ratio(ratios), Stats.Median(ratios) <= 0.5, $"fleet-pull:{cached.Name}"));
            }
        }
    }

    /// <summary>The gateway's proxy CPU per request against Kestrel + YARP alone, per small workload with many connections.</summary>
    private static void WriteFloorComparison(StringBuilder md, BenchmarkResults r)
    {
        if (!r.Targets.Any(t => t.Name == TargetNames.YarpFloor) || r.Small.Count == 0)
        {
            return;
        }

        var gateways = r.Targets.Where(t => t.IsGateway).ToList();
        md.AppendLine();
        md.AppendLine("## Gateway CPU per request against `yarp-floor`");
        md.AppendLine();
        Line(md, "Proxy CPU per request (µs, net of idle; median over rounds) of each gateway target and of Kestrel + YARP alone, and their ratio: what the gateway's own work "
            + "(authentication from the cache, the grain call, the ACL, telemetry, the edge cache) costs on top of the stack it is built on.");
        md.AppendLine();
        md.AppendLine("| workload | yarp-floor µs/req | " + string.Join(" | ", gateways.Select(g => $"{g.Name} µs/req | ×floor")) + " |");
        md.AppendLine("| --- | ---: | " + string.Join(" | ", gateways.Select(_ => "---: | ---:")) + " |");
        foreach (var w in r.SmallWorkloads)
        {
            double Micros(string target) => Stats.Median(r.Small.Where(s => s.Workload.Key == w.Key && s.Target == target).Select(s => s.ProxyMicrosPerRequest(true) ?? double.NaN));
            var floor = Micros(TargetNames.YarpFloor);
            Line(md, $"| `{w.Key}` | {N(floor, "0")} | " + string.Join(" | ", gateways.Select(g => $"{N(Micros(g.Name), "0")} | {N(Micros(g.Name) / floor, "0.00")}")) + " |");
        }
    }
}
