using Gateway.Benchmarks.Harness;
using Gateway.Benchmarks.Load;
using Gateway.Benchmarks.Report;
using Gateway.Benchmarks.Workloads;

namespace Gateway.Benchmarks.Tests.Report;

/// <summary>The report's curl sections and goals, from made-up results (no process is started).</summary>
public sealed class ReportWriterCurlTests
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public void Write_CurlRounds_GoalsAreTheMedianOfPerRoundRatiosAgainstNginxTls()
    {
        var r = Results(3);
        double[] gatewayPush = [2.5, 2 / 1.1, 2 / 1.2];
        double[] gatewayPull = [2 / 0.9, 2 / 0.95, 2 / 1.3];
        for (var round = 1; round <= 3; round++)
        {
            r.PushPullCurl.Add(Transfer(TargetNames.NginxTls, round, push: 2, pull: 2));
            r.PushPullCurl.Add(Transfer(TargetNames.Gateway1, round, gatewayPush[round - 1], gatewayPull[round - 1]));
        }

        var report = ReportWriter.Write(r);

        Assert.Contains("| ✅ | push (curl, HTTP/1.1): gateway-1 ≥ 1.0 × nginx-tls (MiB/s) | 1.10× (0.80–1.20) |", report, StringComparison.Ordinal);
        Assert.Contains("| ❌ | pull (curl, HTTP/1.1): gateway-1 ≥ 1.0 × nginx-tls (MiB/s) | 0.95× (0.90–1.30) |", report, StringComparison.Ordinal);
        Assert.Contains("| nginx-tls | 128.0 | 128.0–128.0 | 128.0 | 128.0–128.0 | 128.0 | 128.0–128.0 |", report, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_CurlGoalMissed_BoundsShowProxyCpuPerMiB()
    {
        var r = Results(1);
        r.PushPullCurl.Add(Transfer(TargetNames.NginxTls, 1, push: 2, pull: 2) with { PushProxyCpuSeconds = 0.512 });
        r.PushPullCurl.Add(Transfer(TargetNames.Gateway1, 1, push: 4, pull: 2) with { PushProxyCpuSeconds = 1.024 });

        var bounds = ReportWriter.Write(r).Split("## What bounds it")[1];

        Assert.Contains("**push (curl, HTTP/1.1): gateway-1 ≥ 1.0 × nginx-tls (MiB/s)** — measured 0.50×.", bounds, StringComparison.Ordinal);
        Assert.Contains("| gateway-1 | 64.0 | 64.0 | 128.0 | 4.0 |", bounds, StringComparison.Ordinal);
        Assert.Contains("| nginx-tls | 128.0 | 128.0 | 128.0 | 2.0 |", bounds, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_RssGrowthOverTheLimit_GatewayGoalMissedAndNamesTheProcess()
    {
        var r = Results(1);
        r.RssBlob.Add(Transfer(TargetNames.NginxTls, 1, 10, 10, mib: 1024, Rss(("nginx", 7, 8, 9), ("nginx", 8, 8, 200))));
        r.RssBlob.Add(Transfer(TargetNames.Gateway1, 1, 10, 10, mib: 1024, Rss(("dotnet", 42, 180, 280))));

        var report = ReportWriter.Write(r);

        Assert.Contains("| ❌ | gateway-1: peak RSS growth < 64 MiB on a 1 GiB blob (curl push + pull) | largest growth 100 MiB (dotnet 42) |", report, StringComparison.Ordinal);
        Assert.DoesNotContain("nginx-tls: peak RSS growth", report, StringComparison.Ordinal);
        Assert.Contains("| nginx-tls | 102.4 | 102.4 | nginx 7: 8 → 9 (+1); nginx 8: 8 → 200 (+192) | 192 | 0 |", report, StringComparison.Ordinal);
        Assert.Contains("| direct | — (no proxy process) |", report, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_RssGrowthUnderTheLimit_GoalMet()
    {
        var r = Results(1);
        r.RssBlob.Add(Transfer(TargetNames.Gateway1, 1, 10, 10, mib: 1024, Rss(("dotnet", 42, 180, 243))));

        var report = ReportWriter.Write(r);

        Assert.Contains("| ✅ | gateway-1: peak RSS growth < 64 MiB on a 1 GiB blob (curl push + pull) | largest growth 63 MiB (dotnet 42) |", report, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_RssRunFailed_NoGoalAndTheErrorIsShown()
    {
        var r = Results(1);
        r.RssBlob.Add(new CurlTransferResult(TargetNames.Gateway1, 1, 1024) { Error = "push: PUT: 503 (expected 201)", Rss = Rss(("dotnet", 42, 180, 181)) });

        var report = ReportWriter.Write(r);

        Assert.DoesNotContain("peak RSS growth <", report, StringComparison.Ordinal);
        Assert.Contains("push: PUT: 503 (expected 201) |", report, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_SkopeoGoals_NameTheClient()
    {
        var r = Results(1);
        r.PushPull.Add(new PushPullResult(TargetNames.NginxTls, 1, 256, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), null, 1, null));
        r.PushPull.Add(new PushPullResult(TargetNames.Gateway1, 1, 256, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), null, 1, null));

        var report = ReportWriter.Write(r);

        Assert.Contains("| ✅ | push (skopeo): gateway-1 ≥ 1.0 × nginx-tls (MiB/s) | 1.00× |", report, StringComparison.Ordinal);
        Assert.Contains("| ❌ | pull (skopeo): gateway-1 ≥ 1.0 × nginx-tls (MiB/s) | 0.50× |", report, StringComparison.Ordinal);
    }

    private static BenchmarkResults Results(int rounds)
    {
        var r = new BenchmarkResults
        {
            Options = BenchmarkOptions.Parse(["--rounds", rounds.ToString(System.Globalization.CultureInfo.InvariantCulture), "--targets", "direct,nginx-tls,gateway-1", "--workloads", "push-pull,push-pull-curl,rss-1g"]),
            Machine = new MachineInfo(2, "test CPU", "1 GiB", "test kernel", "test OS", [], "0.00 0.00 0.00"),
            Started = DateTimeOffset.UnixEpoch,
        };
        r.Targets.Add(new TargetInfo(TargetNames.Direct, "the registry alone", HasProxy: false, Authenticates: false, IsGateway: false));
        r.Targets.Add(new TargetInfo(TargetNames.NginxTls, "nginx", HasProxy: true, Authenticates: false, IsGateway: false));
        r.Targets.Add(new TargetInfo(TargetNames.Gateway1, "the gateway", HasProxy: true, Authenticates: true, IsGateway: true));
        return r;
    }

    private static CurlTransferResult Transfer(string target, int round, double push, double pull, int mib = 256, RssPeaks? rss = null) =>
        new(target, round, mib)
        {
            Push = TimeSpan.FromSeconds(push),
            PatchPush = TimeSpan.FromSeconds(push),
            Pull = TimeSpan.FromSeconds(pull),
            PushProxyCpuSeconds = 0.5,
            PatchPushProxyCpuSeconds = 0.5,
            PullProxyCpuSeconds = 0.5,
            Rss = rss,
        };

    private static RssPeaks Rss(params (string Name, int Pid, long IdleMiB, long PeakMiB)[] processes) =>
        new(processes.Sum(p => p.IdleMiB) * MiB, processes.Sum(p => p.PeakMiB) * MiB, processes.Max(p => p.PeakMiB - p.IdleMiB) * MiB)
        {
            Processes = [.. processes.Select(p => new ProcessRss(p.Pid, p.Name, p.IdleMiB * MiB, p.PeakMiB * MiB))],
        };
}
