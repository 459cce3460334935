using System.Globalization;
using System.Text.RegularExpressions;
using Gateway.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Gateway.EndToEnd.Tests.Observability;

/// <summary>
/// The throughput cost of tracing: two edges on one silo, one without OTLP and one tracing every request (100 %,
/// parent-based) to an <see cref="OtlpReceiver"/>; <c>wrk</c> sends authenticated <c>GET /v2/</c> (warm credential
/// cache, 8 connections) to each in turn, 3 rounds each, interleaved. Opt-in (<c>GATEWAY_E2E_BENCH=1</c>): it takes
/// a minute and its numbers are for the report, not a pass/fail threshold.
/// </summary>
public sealed partial class TracingOverheadBenchmark(ITestOutputHelper output)
{
    private const string User = "bench";
    private const string Password = "bench-password-1";

    [Fact]
    public async Task AuthenticatedSmallRequests_TracingOffVersusOn_SideBySide()
    {
        if (Environment.GetEnvironmentVariable("GATEWAY_E2E_BENCH") != "1")
        {
            output.WriteLine("skipped: set GATEWAY_E2E_BENCH=1 to measure");
            return;
        }

        var seconds = int.Parse(Environment.GetEnvironmentVariable("GATEWAY_E2E_BENCH_SECONDS") ?? "10", CultureInfo.InvariantCulture);
        using var temp = TempDirectory.Create();
        var htpasswd = temp.Combine("htpasswd");
        await Htpasswd.CreateAsync(htpasswd, 10, (User, Password));
        await using var registry = await RegistryServer.StartAsync(temp);
        await using var redis = await RedisServer.StartAsync(temp);
        await using var receiver = OtlpReceiver.Start();
        var shared = new GatewayNodeOptions { BackendUrls = [registry.BaseUrl.ToString().TrimEnd('/')], HtpasswdFile = htpasswd }.WithRedis(redis);

        // GATEWAY_E2E_BENCH_AUDIT=off: both edges without the per-request audit line (to see what it costs).
        var audit = Environment.GetEnvironmentVariable("GATEWAY_E2E_BENCH_AUDIT") == "off" ? "Warning" : "Information";
        shared = shared with { Environment = new Dictionary<string, string?> { ["Logging__LogLevel__Gateway.Audit"] = audit } };
        var traces = new Dictionary<string, string?>
        {
            ["Logging__LogLevel__Gateway.Audit"] = audit,
            ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = receiver.Endpoint + "v1/traces",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        };
        await using var silo = await GatewayNode.StartAsync(shared with { Role = "silo", Environment = traces });
        await using var off = await GatewayNode.StartAsync(shared with { Role = "edge" });
        await using var on = await GatewayNode.StartAsync(shared with { Role = "edge", Environment = traces });

        var auth = ObservabilityClusterFixture.Basic(User, Password).ToString();
        var results = new List<(string Mode, double Rps, double CpuPerRequest, string Latency)>();
        foreach (var node in new[] { off, on })
        {
            (await RunWrkAsync(node, auth, 10)).EnsureSuccess(); // warm: tiered JIT, connections, the credential cache
        }

        for (var round = 1; round <= 3; round++)
        {
            foreach (var (mode, node) in new[] { ("off", off), ("on", on) })
            {
                var cpuBefore = CpuSeconds(node.Pid);
                var run = (await RunWrkAsync(node, auth, seconds)).EnsureSuccess();
                var cpu = CpuSeconds(node.Pid) - cpuBefore;
                var rps = double.Parse(RequestsPerSecond().Match(run.StandardOutput).Groups[1].Value, CultureInfo.InvariantCulture);
                var requests = double.Parse(RequestCount().Match(run.StandardOutput).Groups[1].Value, CultureInfo.InvariantCulture);
                var latency = LatencyLine().Match(run.StandardOutput).Value.Trim();
                Assert.DoesNotContain("Non-2xx", run.StandardOutput, StringComparison.Ordinal);
                var perRequest = cpu / requests * 1e6;
                results.Add((mode, rps, perRequest, latency));
                output.WriteLine($"round {round} tracing {mode,-3}: {rps,9:0.0} req/s   edge CPU {perRequest,6:0} µs/request   {latency}");
            }
        }

        double Mean(string mode) => results.Where(r => r.Mode == mode).Average(r => r.Rps);
        double Cpu(string mode) => results.Where(r => r.Mode == mode).Average(r => r.CpuPerRequest);
        output.WriteLine($"mean: off {Mean("off"):0.0} req/s, on {Mean("on"):0.0} req/s, throughput cost {(1 - (Mean("on") / Mean("off"))) * 100:0.0} %; "
            + $"edge CPU off {Cpu("off"):0} µs/request, on {Cpu("on"):0} µs/request (+{((Cpu("on") / Cpu("off")) - 1) * 100:0.0} %); load average {File.ReadAllText("/proc/loadavg").Trim()}");
        await Task.Delay(TimeSpan.FromSeconds(1));
        output.WriteLine($"audit log: {audit}");
        output.WriteLine($"spans received: {receiver.Spans.Count} ({receiver.Requests.Count} OTLP requests)");
        Assert.NotEmpty(receiver.Spans);
    }

    /// <summary>User + system CPU seconds a process has used (/proc/PID/stat, clock ticks of 1/100 s).</summary>
    private static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static Task<CommandResult> RunWrkAsync(GatewayNode node, string authorization, int seconds) =>
        CommandRunner.RunAsync(
            "wrk",
            ["-t", "2", "-c", "8", "-d", $"{seconds}s", "--latency", "-H", $"Authorization: {authorization}", new Uri(node.BaseUri, "v2/").ToString()],
            TimeSpan.FromSeconds(seconds + 30));

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"(\d+) requests in ")]
    private static partial Regex RequestCount();

    [GeneratedRegex(@"Latency\s+\S+\s+\S+\s+\S+")]
    private static partial Regex LatencyLine();
}
