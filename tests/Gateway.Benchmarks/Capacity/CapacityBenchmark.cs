using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Gateway.Benchmarks.Hardening;
using Gateway.Benchmarks.Load;
using Gateway.EndToEnd.Tests.DirectAuth;
using Gateway.EndToEnd.Tests.Infrastructure;
using StackExchange.Redis;

namespace Gateway.Benchmarks.Capacity;

/// <summary>
/// The costs a capacity plan is made of (deploy/CAPACITY.md), measured on real processes: one edge and one silo
/// (separate processes, role edge and role silo) clustered through one Redis, in front of one registry. For each
/// request kind it sends a fixed number of requests and reads, before and after: the edge's, the silo's and Redis'
/// CPU time (/proc), the edge's grain calls (its /metrics), Redis' commands (INFO commandstats) and network bytes
/// (INFO stats). The same reads over an idle interval give the background (membership, health checks), which is
/// subtracted. Memory: the silo's resident memory before and after a batch of users became active, and Redis' memory
/// and keys per user whose state was written.
/// <c>dotnet run -c Release --project tests/Gateway.Benchmarks -- capacity [--requests N] [--users N] [--concurrency N] [--out FILE]</c>
/// </summary>
public static class CapacityBenchmark
{
    private const string Password = "capacity-pw-1";
    private const int BcryptCost = 5;

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var requests = FailureTimingBenchmark.Option(args, "--requests", 3000);
        var users = FailureTimingBenchmark.Option(args, "--users", 1000);
        var concurrency = FailureTimingBenchmark.Option(args, "--concurrency", 8);
        var outPath = FailureTimingBenchmark.OptionText(args, "--out") ?? "capacity.md";

        using var temp = TempDirectory.Create();
        var htpasswd = temp.Combine("htpasswd");
        var names = Enumerable.Range(0, 2 * users + 1).Select(i => ($"cap-{i:D6}", Password)).ToArray();
        output.WriteLine($"writing {names.Length} htpasswd entries (bcrypt cost {BcryptCost})...");
        await Htpasswd.CreateAsync(htpasswd, BcryptCost, names).ConfigureAwait(false);
        await using var registry = await RegistryServer.StartAsync(temp, new RegistryOptions { LogLevel = "warn" }).ConfigureAwait(false);
        await using var redis = await RedisServer.StartAsync(temp).ConfigureAwait(false);
        var template = new GatewayNodeOptions
        {
            BackendUrls = [registry.BaseUrl.ToString().TrimEnd('/')],
            HtpasswdFile = htpasswd,
            LogLevelDefault = "Warning",
            KnownProxies = ["127.0.0.1"],
            Environment = new Dictionary<string, string?>
            {
                // Distinct wrong passwords from many addresses are the workload here, not an attack to stop.
                ["Gateway__Lockout__MaxFailuresPerAddress"] = "100000",
                ["Gateway__Lockout__MaxFailuresPerUser"] = "100000",
            },
        }.WithRedis(redis);
        await using var silo = await GatewayNode.StartAsync(template with { Role = "silo" }).ConfigureAwait(false);
        await using var edge = await GatewayNode.StartAsync(template with { Role = "edge" }).ConfigureAwait(false);
        using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true").ConfigureAwait(false);
        var server = connection.GetServer(connection.GetEndPoints()[0]);
        var meter = new Meter(edge, silo, redis, server);

        using var http = edge.CreateClient();
        http.Timeout = TimeSpan.FromSeconds(60);
        var cached = names[^1].Item1;
        Assert(await SendAsync(http, cached, Password, "192.0.2.1") == HttpStatusCode.OK, "the cached user's first login");

        // Background: what the cluster costs with no requests at all, per second.
        var idle = await meter.SnapshotAsync().ConfigureAwait(false);
        await Task.Delay(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        var background = (await meter.SnapshotAsync().ConfigureAwait(false)) - idle;
        output.WriteLine($"background over {background.Seconds:0.0} s: {background}");

        var rows = new List<(string Kind, int Count, Usage Usage)>();
        async Task MeasureAsync(string kind, int count, Func<int, Task<bool>> send)
        {
            var before = await meter.SnapshotAsync().ConfigureAwait(false);
            var failed = 0;
            var next = -1;
            await Parallel.ForEachAsync(Enumerable.Range(0, concurrency), async (_, _) =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < count)
                {
                    if (!await send(i).ConfigureAwait(false))
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
            }).ConfigureAwait(false);
            var usage = (await meter.SnapshotAsync().ConfigureAwait(false)) - before;
            usage = usage.Less(background);
            Assert(failed == 0, $"{kind}: {failed} of {count} requests were not answered as expected");
            rows.Add((kind, count, usage));
            output.WriteLine($"{kind}: {count} requests in {usage.Seconds:0.0} s: {usage.PerRequest(count)}");
        }

        // A cached Basic credential: HEAD of a manifest (what a pull of an unchanged tag sends), forwarded to the registry.
        await MeasureAsync("cached Basic (HEAD manifest)", requests, async i =>
            await SendAsync(http, cached, Password, "192.0.2.1", HttpMethod.Head, "/v2/capacity/app/manifests/latest").ConfigureAwait(false) == HttpStatusCode.NotFound).ConfigureAwait(false);

        // First logins: users never seen, each verified once with bcrypt; their grains stay active (memory below).
        var siloBefore = ProcFs.ResidentBytes(silo.Pid) ?? 0;
        var redisBefore = await RedisMemoryAsync(server).ConfigureAwait(false);
        await MeasureAsync($"first login (bcrypt cost {BcryptCost})", users, async i =>
            await SendAsync(http, names[i].Item1, Password, Address(i)).ConfigureAwait(false) == HttpStatusCode.OK).ConfigureAwait(false);
        await Task.Delay(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        var siloAfter = ProcFs.ResidentBytes(silo.Pid) ?? 0;
        var redisAfter = await RedisMemoryAsync(server).ConfigureAwait(false);

        // Wrong passwords: other users, one wrong password each, from many addresses (no lock reached).
        await MeasureAsync("wrong password", users, async i =>
            await SendAsync(http, names[users + i].Item1, "wrong-" + i.ToString(CultureInfo.InvariantCulture), Address(users + i)).ConfigureAwait(false) == HttpStatusCode.Unauthorized).ConfigureAwait(false);

        var report = new StringBuilder();
        report.AppendLine("# Capacity: costs per request kind and per user (`capacity` subcommand)").AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"One edge and one silo (separate processes) clustered through one Redis, one registry, on this machine ({Environment.ProcessorCount} cores); {concurrency} concurrent clients over HTTP (no TLS) on loopback. Background over an idle {background.Seconds:0.0} s ({background}) subtracted. CPU is user + system time from /proc; Redis commands from INFO commandstats, bytes from INFO stats (in + out).").AppendLine();
        report.AppendLine("| request kind | requests | edge CPU / request | silo CPU / request | Redis CPU / request | grain calls / request | Redis commands / request | Redis bytes / request | requests/s (this run) |");
        report.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (kind, count, usage) in rows)
        {
            report.AppendLine(CultureInfo.InvariantCulture,
                $"| {kind} | {count} | {usage.EdgeCpu / count * 1000:0.000} ms | {usage.SiloCpu / count * 1000:0.000} ms | {usage.RedisCpu / count * 1000:0.000} ms | {usage.GrainCalls / count:0.00} | {usage.RedisCommands / count:0.00} | {usage.RedisBytes / count:0} | {count / usage.Seconds:0} |");
        }

        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Memory: {users} users made active by their first login: silo resident memory {siloBefore / 1048576.0:0.0} → {siloAfter / 1048576.0:0.0} MiB = {(siloAfter - siloBefore) / (double)users / 1024:0.0} KiB per active user grain; Redis {redisBefore.Keys} → {redisAfter.Keys} keys and {redisBefore.Memory / 1048576.0:0.00} → {redisAfter.Memory / 1048576.0:0.00} MiB = {(redisAfter.Keys - redisBefore.Keys) / (double)users:0.00} keys and {(redisAfter.Memory - redisBefore.Memory) / (double)users:0} bytes per user whose state was written (what an idle user keeps: its grain is deactivated after the idle time).");
        await File.WriteAllTextAsync(outPath, report.ToString()).ConfigureAwait(false);
        output.WriteLine(report.ToString());
        return 0;
    }

    private static string Address(int i) => string.Create(CultureInfo.InvariantCulture, $"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}");

    private static void Assert(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException("unexpected answer: " + what);
        }
    }

    private static async Task<HttpStatusCode> SendAsync(HttpClient http, string user, string password, string client, HttpMethod? method = null, string path = "/v2/")
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, path)
        {
            Headers = { Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"))) },
        };
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", client);
        using var response = await http.SendAsync(request).ConfigureAwait(false);
        return response.StatusCode;
    }

    private static async Task<(long Keys, long Memory)> RedisMemoryAsync(IServer server)
    {
        var keys = await server.DatabaseSizeAsync().ConfigureAwait(false);
        var info = await server.InfoAsync("memory").ConfigureAwait(false);
        return (keys, long.Parse(info.SelectMany(g => g).First(p => p.Key == "used_memory").Value, CultureInfo.InvariantCulture));
    }

    /// <summary>Reads the counters a <see cref="Usage"/> is the difference of.</summary>
    private sealed class Meter(GatewayNode edge, GatewayNode silo, RedisServer redis, IServer server)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public async Task<Usage> SnapshotAsync()
        {
            var stats = (await server.InfoAsync("stats").ConfigureAwait(false)).SelectMany(g => g).ToDictionary(p => p.Key, p => p.Value);
            var commands = (await server.InfoAsync("commandstats").ConfigureAwait(false)).SelectMany(g => g)
                .Sum(p => long.Parse(p.Value.Split(',')[0]["calls=".Length..], CultureInfo.InvariantCulture));
            var grainCalls = await Metrics.SumAsync(edge, "gateway_grain_call_duration_seconds_count").ConfigureAwait(false);
            return new Usage(
                _clock.Elapsed.TotalSeconds,
                ProcFs.CpuSeconds(edge.Pid) ?? 0,
                ProcFs.CpuSeconds(silo.Pid) ?? 0,
                ProcFs.CpuSeconds(redis.Process.Pid) ?? 0,
                grainCalls,
                commands,
                long.Parse(stats["total_net_input_bytes"], CultureInfo.InvariantCulture) + long.Parse(stats["total_net_output_bytes"], CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Counters at a moment, or the difference of two (then <see cref="Seconds"/> is the interval).</summary>
    private readonly record struct Usage(double Seconds, double EdgeCpu, double SiloCpu, double RedisCpu, double GrainCalls, double RedisCommands, double RedisBytes)
    {
        public static Usage operator -(Usage a, Usage b) => new(
            a.Seconds - b.Seconds, a.EdgeCpu - b.EdgeCpu, a.SiloCpu - b.SiloCpu, a.RedisCpu - b.RedisCpu, a.GrainCalls - b.GrainCalls, a.RedisCommands - b.RedisCommands, a.RedisBytes - b.RedisBytes);

        /// <summary>This interval less what <paramref name="idle"/> (an idle interval) costs over as long.</summary>
        public Usage Less(Usage idle)
        {
            var f = Seconds / idle.Seconds;
            return new(Seconds, Math.Max(0, EdgeCpu - idle.EdgeCpu * f), Math.Max(0, SiloCpu - idle.SiloCpu * f), Math.Max(0, RedisCpu - idle.RedisCpu * f),
                GrainCalls - idle.GrainCalls * f, Math.Max(0, RedisCommands - idle.RedisCommands * f), Math.Max(0, RedisBytes - idle.RedisBytes * f));
        }

        public string PerRequest(int count) => string.Create(CultureInfo.InvariantCulture,
            $"edge {EdgeCpu / count * 1000:0.000} ms, silo {SiloCpu / count * 1000:0.000} ms, Redis {RedisCpu / count * 1000:0.000} ms CPU; {GrainCalls / count:0.00} grain calls, {RedisCommands / count:0.00} Redis commands, {RedisBytes / count:0} Redis bytes");

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"edge {EdgeCpu:0.00} s, silo {SiloCpu:0.00} s, Redis {RedisCpu:0.00} s CPU, {GrainCalls:0} grain calls, {RedisCommands:0} Redis commands, {RedisBytes:0} Redis bytes");
    }
}
