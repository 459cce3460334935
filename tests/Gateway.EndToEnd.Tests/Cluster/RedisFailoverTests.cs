using System.Diagnostics;
using System.Globalization;
using System.Net;
using Gateway.EndToEnd.Tests.Infrastructure;
using Gateway.EndToEnd.Tests.Protection;
using Xunit.Abstractions;
using static Gateway.EndToEnd.Tests.Cluster.RedisFailoverDrill;

namespace Gateway.EndToEnd.Tests.Cluster;

/// <summary>
/// <c>kill -9</c> of the Redis primary (Sentinels, a replica) while a push and pull loop runs through the gateway:
/// what clients see, and what state the promoted replica still has. Each test prints its timeline.
/// </summary>
public sealed class RedisFailoverTests(ITestOutputHelper output)
{
    private static readonly TimeSpan NewLoginBound = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Watch = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task KillRedisPrimary_DuringPushPullLoop_CachedUsersNeverFailStateKeptNewLoginsWithin10Seconds()
    {
        await using var drill = await StartAsync(2);
        var (a, b) = (drill.Cluster[0], drill.Cluster[1]);
        await drill.LockPairAsync(a);
        var secret = await CreateMachineAccountAsync(b);

        var observed = await KillAndObserveAsync(drill, [a, b], alsoKill: null, secret);

        Assert.Empty(observed.Loop.Failures);
        AssertStateKeptAndLoginsBack(observed);
        await AssertMembershipKeptAsync(drill, [a, b]);

        // The new primary has no replica now (the old primary is dead): state writes are counted as unconfirmed,
        // the series the GatewayRedisWritesUnconfirmed alert watches.
        var unconfirmed = await DirectAuth.Metrics.SumAsync(a, "gateway_redis_replication_unconfirmed_total") + await DirectAuth.Metrics.SumAsync(b, "gateway_redis_replication_unconfirmed_total");
        output.WriteLine($"unconfirmed writes counted after the failover: {unconfirmed}");
        Assert.True(unconfirmed > 0);
    }

    [Fact]
    public async Task KillRedisPrimaryAndTheSiloHoldingTheState_SurvivorsKeepTheLockAndMachineAccountAndLetNewLoginsIn()
    {
        await using var drill = await StartAsync(3);
        var (a, b, c) = (drill.Cluster[0], drill.Cluster[1], drill.Cluster[2]);

        // The state's grains live on node A (placement prefers the silo of the node that asked first); the loop
        // user's on node B.
        await drill.LockPairAsync(a);
        var secret = await CreateMachineAccountAsync(a);
        await a.WaitForLogAsync(l => l.Contains($"User grain for '{LockedUser}' activated", StringComparison.Ordinal), TimeSpan.FromSeconds(5));

        var observed = await KillAndObserveAsync(drill, [b, c], alsoKill: a, secret);

        // A cached user whose grain was on a surviving silo never fails; the others are answered from their new
        // activation once the dead silo is declared dead (a few seconds), 503 meanwhile, never let through undecided.
        Assert.All(observed.Loop.Failures, f => Assert.EndsWith("-> 503", f, StringComparison.Ordinal));
        AssertStateKeptAndLoginsBack(observed);
        await AssertMembershipKeptAsync(drill, [b, c]);
    }

    private async Task<Observation> KillAndObserveAsync(RedisFailoverDrill drill, GatewayNode[] survivors, GatewayNode? alsoKill, string secret)
    {
        var firstPrimary = await drill.Redis.PrimaryPortAsync();
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var loop = Task.Run(() => RunPushPullLoopAsync(() => survivors, clock, stop.Token));

        // The loop runs a while before the kill, so its user is cached on every node.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var primary = await drill.Redis.PrimaryAsync();
        primary.Process.KillHard();
        alsoKill?.KillHard();
        clock.Restart();

        // Probes start every 250 ms whatever earlier ones are doing (one waiting for a dead silo must not hide the
        // recovery of the next), until every kind has succeeded and the loop has run through the failover.
        var probes = new List<(TimeSpan Sent, GatewayNode Node, Task<ProbeResult> Result)>();
        for (var round = 0; clock.Elapsed < Watch; round++)
        {
            var node = survivors[round % survivors.Length];
            var client = string.Create(CultureInfo.InvariantCulture, $"198.51.100.{(round % 250) + 1}");
            probes.Add((clock.Elapsed, node, ProbesAsync(drill, node, secret, client, clock)));
            var done = probes.Where(p => p.Result.IsCompletedSuccessfully).Select(p => p.Result.Result).ToList();
            if (clock.Elapsed > TimeSpan.FromSeconds(8)
                && done.Any(p => p.NewLogin == HttpStatusCode.OK)
                && done.Any(p => p.Lock == ProtectedClusterFixture.LockedLogin)
                && done.Any(p => p.Machine == HttpStatusCode.OK))
            {
                break;
            }

            await Task.Delay(250);
        }

        await Task.WhenAll(probes.Select(p => p.Result));
        var timeline = probes.Select(p => string.Create(CultureInfo.InvariantCulture,
            $"sent {p.Sent.TotalSeconds:0.00}s :{p.Node.Port} login {(int)p.Result.Result.NewLogin} at {p.Result.Result.NewLoginAt.TotalSeconds:0.00}s, lock {(int)p.Result.Result.Lock} at {p.Result.Result.LockAt.TotalSeconds:0.00}s, machine {(int)p.Result.Result.Machine} at {p.Result.Result.MachineAt.TotalSeconds:0.00}s")).ToList();
        var results = probes.Select(p => p.Result.Result).ToList();
        var login = First(results.Where(p => p.NewLogin == HttpStatusCode.OK).Select(p => p.NewLoginAt));
        var locked = First(results.Where(p => p.Lock == ProtectedClusterFixture.LockedLogin).Select(p => p.LockAt));
        var machine = First(results.Where(p => p.Machine == HttpStatusCode.OK).Select(p => p.MachineAt));
        var logins = results.Count;
        var loginsRefused = results.Count(p => p.NewLogin != HttpStatusCode.OK);
        var lockRefusals = results.Count(p => p.Lock != ProtectedClusterFixture.LockedLogin);
        var machineRefusals = results.Count(p => p.Machine != HttpStatusCode.OK);
        await stop.CancelAsync();
        var result = await loop;
        var newPrimary = await drill.Redis.PrimaryPortAsync();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"primary :{firstPrimary} killed{(alsoKill is null ? "" : $" with node :{alsoKill.Port}")}; primary now :{newPrimary}; first new login {Seconds(login)}, lock refused {Seconds(locked)}, machine account {Seconds(machine)}; new logins refused (503) {loginsRefused} of {logins}, lock answered 503 {lockRefusals}, machine account 503 {machineRefusals}; push/pull requests {result.Requests}, failed {result.Failures.Count}"));
        output.WriteLine(string.Join('\n', result.Failures));
        output.WriteLine(string.Join('\n', timeline));
        foreach (var node in survivors)
        {
            // What each survivor logged about Redis, membership and failed calls during the failover.
            output.WriteLine($"--- node :{node.Port}");
            output.WriteLine(string.Join('\n', node.Process.Lines.Where(Notable).Select(l => l.Length > 400 ? l[..400] : l).TakeLast(40)));
        }

        foreach (var probe in results)
        {
            // Never an open door and never a forgotten account, whatever Redis is doing.
            Assert.True(probe.Lock is ProtectedClusterFixture.LockedLogin or HttpStatusCode.ServiceUnavailable, $"the locked pair was answered {probe.Lock} at {probe.LockAt}:\n{string.Join('\n', timeline)}");
            Assert.True(probe.Machine is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"the machine account was answered {probe.Machine} at {probe.MachineAt}:\n{string.Join('\n', timeline)}");
            Assert.True(probe.NewLogin is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"a new login was answered {probe.NewLogin} at {probe.NewLoginAt}");
        }

        Assert.NotEqual(firstPrimary, newPrimary);
        return new Observation(login, locked, machine, result);
    }

    /// <summary>A new user's first login, the locked pair and the machine account, at once; each with the time its answer came.</summary>
    private static async Task<ProbeResult> ProbesAsync(RedisFailoverDrill drill, GatewayNode node, string secret, string client, Stopwatch clock)
    {
        var login = Timed(ProtectedClusterFixture.StatusAsync(node, drill.TakeNewUser(), Password, client));
        var locked = Timed(ProtectedClusterFixture.StatusAsync(node, LockedUser, Password, Attacker));
        var machine = Timed(ProtectedClusterFixture.StatusAsync(node, "robot$" + MachineAccount, secret, client));
        var ((l, la), (k, ka), (m, ma)) = (await login, await locked, await machine);
        return new ProbeResult(l, la, k, ka, m, ma);

        async Task<(HttpStatusCode, TimeSpan)> Timed(Task<HttpStatusCode> request)
        {
            var status = await request;
            return (status, clock.Elapsed);
        }
    }

    private static void AssertStateKeptAndLoginsBack(Observation observed)
    {
        Assert.True(observed.NewLogin is { } login && login < NewLoginBound, $"first new login after the kill: {Seconds(observed.NewLogin)}");
        Assert.NotNull(observed.LockRefused);
        Assert.NotNull(observed.MachineAccepted);
    }

    private static async Task AssertMembershipKeptAsync(RedisFailoverDrill drill, GatewayNode[] survivors)
    {
        // Every surviving silo is active in the new primary's membership table, without a restart.
        IReadOnlyList<(string Silo, string Status)> rows = [];
        await Poll.UntilAsync(
            async _ =>
            {
                rows = await drill.MembershipAsync();
                return rows.Count(r => r.Status == "Active") == survivors.Length;
            },
            TimeSpan.FromSeconds(30),
            "the survivors to be active in the new primary's membership table");
        foreach (var node in survivors)
        {
            using var http = node.CreateClient();
            using var ready = await http.GetAsync("healthz/ready");
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.False(node.Process.HasExited);
        }
    }

    /// <summary>Log lines worth printing: warnings and failures, less the expected retries of writes sent to the replica.</summary>
    private static bool Notable(string line) =>
        (line.Contains(" warn: ", StringComparison.Ordinal) || line.Contains(" fail: ", StringComparison.Ordinal) || line.Contains(" crit: ", StringComparison.Ordinal))
        && !line.Contains("READONLY", StringComparison.Ordinal) && !line.Contains("[3104]", StringComparison.Ordinal) && !line.Contains("[1201]", StringComparison.Ordinal)
        && !line.Contains("Polly[", StringComparison.Ordinal) && !line.Contains("[100071]", StringComparison.Ordinal);

    private static TimeSpan? First(IEnumerable<TimeSpan> times) => times.Order().Select(t => (TimeSpan?)t).FirstOrDefault();

    private static string Seconds(TimeSpan? at) => at is { } t ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.00} s") : "never";

    private sealed record ProbeResult(HttpStatusCode NewLogin, TimeSpan NewLoginAt, HttpStatusCode Lock, TimeSpan LockAt, HttpStatusCode Machine, TimeSpan MachineAt);

    private sealed record Observation(TimeSpan? NewLogin, TimeSpan? LockRefused, TimeSpan? MachineAccepted, PushPullLoopResult Loop);
}
