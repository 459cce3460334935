using System.Diagnostics;
using System.Globalization;
using System.Text;
using Gateway.Contracts;
using Gateway.EndToEnd.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using StackExchange.Redis;

namespace Gateway.Benchmarks.Hardening;

/// <summary>
/// Storage under spraying (issue 12), past what an end-to-end test can afford: two gateway nodes clustered through one
/// Redis; a client drives their user grains as edges do for N distinct unknown names (a check, then the failed
/// verification's report; 50 names per client address), without HTTP or bcrypt in the way; Redis's key count and
/// memory are sampled before, at the peak and after the window ends.
/// <c>dotnet run -c Release --project tests/Gateway.Benchmarks -- spray [--names N] [--window SECONDS] [--out FILE]</c>
/// </summary>
public static class SprayStorageBenchmark
{
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var names = FailureTimingBenchmark.Option(args, "--names", 1_000_000);
        var window = TimeSpan.FromSeconds(FailureTimingBenchmark.Option(args, "--window", 60));
        var outPath = FailureTimingBenchmark.OptionText(args, "--out") ?? "spray.md";
        using var temp = TempDirectory.Create();
        var htpasswd = temp.Combine("htpasswd");
        await Htpasswd.CreateAsync(htpasswd, Htpasswd.MinimumCost, ("alice", "alice-pw")).ConfigureAwait(false);
        await using var registry = await RegistryServer.StartAsync(temp, new RegistryOptions { LogLevel = "warn" }).ConfigureAwait(false);
        await using var redis = await RedisServer.StartAsync(temp).ConfigureAwait(false);
        var template = new GatewayNodeOptions
        {
            BackendUrls = [registry.BaseUrl.ToString().TrimEnd('/')],
            HtpasswdFile = htpasswd,
            LogLevelDefault = "Warning",
            Environment = new Dictionary<string, string?>
            {
                ["Gateway__Lockout__Window"] = window.ToString("c", CultureInfo.InvariantCulture),
                ["Gateway__Lockout__SweepInterval"] = "00:00:02",
            },
        }.WithRedis(redis);
        await using var cluster = await GatewayCluster.StartAsync(2, redis, template).ConfigureAwait(false);
        using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true").ConfigureAwait(false);

        using var client = Host.CreateDefaultBuilder()
            .UseOrleansClient(c =>
            {
                c.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(redis.ConnectionString));
                c.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = template.ClusterId;
                    o.ServiceId = "registry-gateway";
                });
            })
            .ConfigureLogging(l => l.ClearProviders())
            .Build();
        await client.StartAsync().ConfigureAwait(false);
        var grains = client.Services.GetRequiredService<IClusterClient>();

        var before = await MeasureAsync(connection).ConfigureAwait(false);
        output.WriteLine($"before: {before}");
        var peak = before;
        using var sampling = new CancellationTokenSource();
        var samples = new List<string>();
        var sampler = Task.Run(async () =>
        {
            var watch = Stopwatch.StartNew();
            while (!sampling.IsCancellationRequested)
            {
                var now = await MeasureAsync(connection).ConfigureAwait(false);
                peak = now.Keys > peak.Keys ? now : peak;
                lock (samples)
                {
                    samples.Add($"{watch.Elapsed.TotalSeconds:0}s {now}");
                }

                await Task.Delay(2000).ConfigureAwait(false);
            }
        });

        var sprayed = Stopwatch.StartNew();
        var next = -1;
        await Parallel.ForEachAsync(Enumerable.Range(0, 64), async (_, _) =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < names)
            {
                var user = grains.GetGrain<IUserGrain>($"spray-{i:D7}");
                var address = $"10.{(i / 50) >> 16 & 255}.{((i / 50) >> 8) & 255}.{(i / 50) & 255}";
                var fingerprint = Encoding.UTF8.GetBytes($"fingerprint-{i:D7}-padding-to-32b").AsSpan(0, 32).ToArray();
                var check = await user.CheckAsync(new CredentialCheck { Fingerprint = fingerprint, ClientAddress = address }).ConfigureAwait(false);
                if (check.Outcome == CredentialOutcome.VerifyRequired)
                {
                    await user.ReportAsync(new VerificationReport { Ticket = check.Ticket, Fingerprint = fingerprint, Result = VerificationResult.Failed, CacheFor = TimeSpan.Zero, ClientAddress = address }).ConfigureAwait(false);
                }

                if (i % 100_000 == 0 && i > 0)
                {
                    output.WriteLine($"  {i} names after {sprayed.Elapsed.TotalSeconds:0} s");
                }
            }
        }).ConfigureAwait(false);
        sprayed.Stop();
        output.WriteLine($"sprayed {names} names in {sprayed.Elapsed.TotalSeconds:0} s ({names / sprayed.Elapsed.TotalSeconds:0}/s); peak so far {peak}");

        var waited = Stopwatch.StartNew();
        var after = await MeasureAsync(connection).ConfigureAwait(false);
        while (after.Keys > before.Keys && waited.Elapsed < window + TimeSpan.FromMinutes(10))
        {
            await Task.Delay(5000).ConfigureAwait(false);
            after = await MeasureAsync(connection).ConfigureAwait(false);
        }

        await sampling.CancelAsync().ConfigureAwait(false);
        await sampler.ConfigureAwait(false);
        await client.StopAsync().ConfigureAwait(false);

        var report = new StringBuilder();
        report.AppendLine("# Spraying distinct unknown names: Redis before, at the peak, after the window (issue 12)").AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Two gateway nodes clustered through one Redis on this machine; a client drove their user grains for {names:N0} distinct unknown names (check, failed report; 50 names per client address) in {sprayed.Elapsed.TotalSeconds:0} s; lockout window {window.TotalSeconds:0} s, sweep every 2 s.").AppendLine();
        report.AppendLine("| when | Redis keys | Redis used_memory |").AppendLine("| --- | ---: | ---: |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| before | {before.Keys:N0} | {before.Memory / 1048576.0:0.0} MiB |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| peak while spraying | {peak.Keys:N0} | {peak.Memory / 1048576.0:0.0} MiB |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| {waited.Elapsed.TotalSeconds:0} s after the spray ended | {after.Keys:N0} | {after.Memory / 1048576.0:0.0} MiB |");
        report.AppendLine().AppendLine("Samples every 2 s: " + string.Join("; ", samples.Where((_, k) => k % 10 == 0)));
        await File.WriteAllTextAsync(outPath, report.ToString()).ConfigureAwait(false);
        output.WriteLine(report.ToString());
        return after.Keys <= before.Keys ? 0 : 1;
    }

    private static async Task<(long Keys, long Memory)> MeasureAsync(ConnectionMultiplexer connection)
    {
        var server = connection.GetServer(connection.GetEndPoints()[0]);
        var keys = await server.DatabaseSizeAsync().ConfigureAwait(false);
        var info = await server.InfoAsync("memory").ConfigureAwait(false);
        var used = info.SelectMany(g => g).First(p => p.Key == "used_memory").Value;
        return (keys, long.Parse(used, CultureInfo.InvariantCulture));
    }
}
