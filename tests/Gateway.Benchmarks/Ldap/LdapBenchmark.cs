using System.Globalization;
using System.Text;
using Gateway.Benchmarks.Harness;
using Gateway.Benchmarks.Hardening;
using Gateway.Benchmarks.Report;
using Gateway.EndToEnd.Tests.Infrastructure;
using static Gateway.Benchmarks.Ldap.LdapRequests;

namespace Gateway.Benchmarks.Ldap;

/// <summary>
/// LDAP identities (issue 16), one run, side by side: the same workload (USERS × REQUESTS <c>GET /v2/</c> over three
/// nodes clustered through Redis, CONCURRENCY at a time) against one real slapd, once with the credential cache (the
/// default <c>Gateway:Ldap:CacheTtl</c>, 5 min) and once with <c>CacheTtl=00:00:00</c>, the setting that makes every
/// request bind (the baseline of docker_auth's model, which binds on every authentication). Binds and searches are
/// counted in slapd's own log (loglevel stats). Then, per variant: the latency of a user's first request and of later
/// ones, one at a time; and an outage (slapd stopped: users seen before, new users, the restart).
/// <c>dotnet run -c Release --project tests/Gateway.Benchmarks -- ldap [--users N] [--requests N] [--concurrency N] [--latency-users N] [--out FILE] [--log FILE]</c>
/// </summary>
public static class LdapBenchmark
{
    private static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var userCount = FailureTimingBenchmark.Option(args, "--users", 50);
        var rounds = FailureTimingBenchmark.Option(args, "--requests", 20);
        var concurrency = FailureTimingBenchmark.Option(args, "--concurrency", 10);
        var latencyUsers = FailureTimingBenchmark.Option(args, "--latency-users", 20);
        var outPath = FailureTimingBenchmark.OptionText(args, "--out") ?? "ldap.md";
        var logPath = FailureTimingBenchmark.OptionText(args, "--log"); // the nodes' LDAP lines, warnings and errors: what a 503 was
        var seen = Math.Min(20, userCount);
        const int Newcomers = 6;

        using var temp = TempDirectory.Create();
        using var pki = TestPki.Create(temp);
        await using var ldap = await LdapDirectory.StartAsync(temp, pki).ConfigureAwait(false);
        var variants = new[]
        {
            new Variant("cache on", "`CacheTtl` 00:05:00 (the default)", null, "c"),
            new Variant("cache off", "`CacheTtl` 00:00:00 (a bind on every request)", "00:00:00", "u"),
        };
        foreach (var variant in variants)
        {
            await ldap.AddUsersAsync([.. Users(variant.Prefix, userCount).Concat(Users("l" + variant.Prefix, latencyUsers)).Concat(Users("n" + variant.Prefix, Newcomers)).Select(u => (u, u + "-pw"))]).ConfigureAwait(false);
        }

        // Every tenth user is in group ci: the groups (memberOf) are read with the user, as in production.
        await ldap.AddGroupAsync("ci", [.. variants.SelectMany(v => Users(v.Prefix, userCount).Where((_, i) => i % 10 == 0))]).ConfigureAwait(false);
        var htpasswd = temp.Combine("htpasswd");
        await Htpasswd.CreateAsync(htpasswd, Htpasswd.MinimumCost, [("local", "local-pw")]).ConfigureAwait(false);
        await using var registry = await RegistryServer.StartAsync(temp, new RegistryOptions { LogLevel = "warn" }).ConfigureAwait(false);
        await using var redis = await RedisServer.StartAsync(temp).ConfigureAwait(false);

        foreach (var variant in variants)
        {
            output.WriteLine($"{variant.Name}: starting 3 nodes…");
            await using var cluster = await GatewayCluster.StartAsync(3, redis, Template(registry, htpasswd, ldap, pki, variant.CacheTtl)).ConfigureAwait(false);
            var clients = Clients(cluster);
            try
            {
                foreach (var client in clients)
                {
                    await SendWarmAsync(client).ConfigureAwait(false); // connections, JIT, the edge's grain client
                }

                output.WriteLine($"{variant.Name}: {userCount} users × {rounds} requests over 3 nodes, {concurrency} at a time…");
                var before = await CountAsync(ldap).ConfigureAwait(false);
                var (results, elapsed) = await WorkloadAsync(clients, Users(variant.Prefix, userCount), rounds, concurrency).ConfigureAwait(false);
                var after = await CountAsync(ldap).ConfigureAwait(false);
                variant.Workload = new WorkloadResult(results, elapsed, after.UserBinds - before.UserBinds, after.ServiceBinds - before.ServiceBinds, after.Searches - before.Searches);

                output.WriteLine($"{variant.Name}: latency, {latencyUsers} users one at a time…");
                (variant.First, variant.Later) = await SeriesAsync(clients, Users("l" + variant.Prefix, latencyUsers), rounds).ConfigureAwait(false);

                output.WriteLine($"{variant.Name}: outage…");
                await ldap.StopAsync().ConfigureAwait(false);
                try
                {
                    foreach (var user in Users(variant.Prefix, seen))
                    {
                        variant.SeenDuringOutage.Add(await SendAsync(clients[0], user).ConfigureAwait(false));
                    }

                    foreach (var user in Users("n" + variant.Prefix, Newcomers - 1))
                    {
                        variant.NewDuringOutage.Add(await SendAsync(clients[0], user).ConfigureAwait(false));
                    }
                }
                finally
                {
                    await ldap.StartAsync().ConfigureAwait(false);
                }

                variant.Recovery = await UntilOkAsync(clients[0], $"n{variant.Prefix}{Newcomers - 1:00}", TimeSpan.FromSeconds(60)).ConfigureAwait(false);
                if (logPath is not null)
                {
                    await File.AppendAllLinesAsync(logPath, [$"== {variant.Name}", .. cluster.Nodes.SelectMany((node, i) => node.Process.Lines.Where(l => l.Contains("LDAP", StringComparison.Ordinal) || l.Contains(" warn: ", StringComparison.Ordinal) || l.Contains(" fail: ", StringComparison.Ordinal)).Select(l => $"node {i}: {l}"))]).ConfigureAwait(false);
                }
            }
            finally
            {
                foreach (var client in clients)
                {
                    client.Dispose();
                }
            }
        }

        var report = Write(variants, userCount, rounds, concurrency, latencyUsers, seen);
        await File.WriteAllTextAsync(outPath, report).ConfigureAwait(false);
        output.WriteLine(report);
        return 0;
    }

    private static GatewayNodeOptions Template(RegistryServer registry, string htpasswd, LdapDirectory ldap, TestPki pki, string? cacheTtl)
    {
        var environment = new Dictionary<string, string?>
        {
            ["Gateway__Auth__Providers__0"] = "machine-accounts",
            ["Gateway__Auth__Providers__1"] = "ldap",
            ["Gateway__Auth__Providers__2"] = "htpasswd",
            ["Gateway__Cluster__ResponseTimeout"] = ResponseTimeout.ToString("c", CultureInfo.InvariantCulture),
            ["Gateway__Ldap__Servers__0"] = ldap.Url,
            ["Gateway__Ldap__StartTls"] = "true",
            ["Gateway__Ldap__CaFile"] = pki.CaCertificatePath,
            ["Gateway__Ldap__BaseDn"] = LdapDirectory.BaseDn,
            ["Gateway__Ldap__BindDn"] = LdapDirectory.ServiceDn,
            ["Gateway__Ldap__BindPasswordFile"] = ldap.ServicePasswordFile,
            ["Gateway__Ldap__UserFilter"] = "(&(objectClass=inetOrgPerson)(uid=${account}))",
            ["Gateway__Ldap__GroupAttribute"] = "memberOf",
            // The per-user request budget is not what is measured here.
            ["Gateway__RateLimit__Requests__Limit"] = "100000000",
        };
        if (cacheTtl is not null)
        {
            environment["Gateway__Ldap__CacheTtl"] = cacheTtl;
        }

        return new GatewayNodeOptions
        {
            BackendUrls = [registry.BaseUrl.ToString().TrimEnd('/')],
            HtpasswdFile = htpasswd,
            LogLevelDefault = "Warning",
            Environment = environment,
        }.WithTls(pki);
    }

    private static async Task SendWarmAsync(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/")
        {
            Headers = { Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("local:local-pw"))) },
        };
        using var response = await client.SendAsync(request).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>What slapd's log shows so far: successful user binds, the service account's binds, searches (the settle probes left out).</summary>
    private static async Task<(int UserBinds, int ServiceBinds, int Searches)> CountAsync(LdapDirectory ldap)
    {
        await ldap.SettleAsync().ConfigureAwait(false);
        return (ldap.SuccessfulUserBinds(), ldap.BindsOf(LdapDirectory.ServiceDn), ldap.SearchFilters().Count(f => !f.Contains("settle", StringComparison.Ordinal)));
    }

    private static string Write(Variant[] variants, int users, int rounds, int concurrency, int latencyUsers, int seen)
    {
        var r = new StringBuilder();
        var n = users * rounds;
        r.AppendLine("# LDAP identities: binds per request, latency, outage (issue 16)").AppendLine();
        r.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, load average at the end {MachineInfo.LoadAverage()}. One slapd (Debian's, MDB, loglevel stats) on loopback; three gateway nodes (role all, clustered through Redis, HTTPS) with search then bind over StartTLS, groups from `memberOf`, the service account's connections pooled; `Gateway:Ldap:Timeout` 3 s, `FailuresToOpen` 2, `BreakDuration` 10 s, `OutageGrace` 1 h (the defaults), `Gateway:Cluster:ResponseTimeout` {ResponseTimeout.TotalSeconds:0} s.").AppendLine();

        r.AppendLine(CultureInfo.InvariantCulture, $"## The same workload: {users} users × {rounds} requests (`GET /v2/`) over 3 nodes, {concurrency} at a time").AppendLine();
        r.AppendLine("Each user's requests go to a different node each round; the first round starts on a cold cache. Binds and searches are counted in slapd's log.").AppendLine();
        r.Append("| | ").AppendJoin(" | ", variants.Select(v => $"{v.Name}: {v.Setting}")).AppendLine(" | docker_auth's model (per its code; not run) |");
        r.Append("| --- |").AppendJoin("", variants.Select(_ => " ---: |")).AppendLine(" ---: |");
        Row(r, "answers", variants, v => Statuses(v.Workload!.Results), $"{n}");
        Row(r, "successful user binds", variants, v => $"{v.Workload!.UserBinds}", $"{n}");
        Row(r, "user binds per request", variants, v => $"{(double)v.Workload!.UserBinds / n:0.000}", "1");
        Row(r, "service-account binds", variants, v => $"{v.Workload!.ServiceBinds}", $"{2 * n} (bind before the search, rebind after the user bind)");
        Row(r, "searches", variants, v => $"{v.Workload!.Searches}", $"{n}");
        Row(r, "new directory connections", variants, _ => "pooled (service) + 1 per user bind", $"{n}");
        Row(r, "elapsed (s)", variants, v => $"{v.Workload!.Elapsed.TotalSeconds:0.0}", "–");
        Row(r, "requests per second", variants, v => $"{n / v.Workload!.Elapsed.TotalSeconds:0}", "–");
        Row(r, "latency p50 / p99 under the workload (ms)", variants, v => $"{Stats.Percentile(Ms(v.Workload!.Results), 0.5):0.0} / {Stats.Percentile(Ms(v.Workload.Results), 0.99):0.0}", "–");
        r.AppendLine();
        var on = variants[0].Workload!;
        var off = variants[1].Workload!;
        r.AppendLine(CultureInfo.InvariantCulture, $"With the cache the directory saw {(double)off.UserBinds / Math.Max(1, on.UserBinds):0.0}× fewer user binds and {(double)off.Searches / Math.Max(1, on.Searches):0.0}× fewer searches than with every request binding; docker_auth's model adds two service-account binds per request on top of the user bind.").AppendLine();

        r.AppendLine(CultureInfo.InvariantCulture, $"## Latency, one request at a time ({latencyUsers} new users, each: a first request, then {rounds} more, over the 3 nodes)").AppendLine();
        r.AppendLine("| request | " + string.Join(" | ", variants.Select(v => $"{v.Name} p50 ms | {v.Name} p99 ms")) + " |");
        r.AppendLine("| --- |" + string.Concat(variants.Select(_ => " ---: | ---: |")));
        r.AppendLine("| a user's first request (search, user bind, groups; StartTLS) | " + string.Join(" | ", variants.Select(v => $"{Stats.Percentile(v.First, 0.5):0.0} | {Stats.Percentile(v.First, 0.99):0.0}")) + " |");
        r.AppendLine("| later requests (cache on: answered by the user's grain; cache off: a bind each) | " + string.Join(" | ", variants.Select(v => $"{Stats.Percentile(v.Later, 0.5):0.0} | {Stats.Percentile(v.Later, 0.99):0.0}")) + " |");
        r.AppendLine();

        r.AppendLine("## Outage: slapd stopped (SIGTERM), then started again on the same port; no gateway restart").AppendLine();
        r.AppendLine("| | " + string.Join(" | ", variants.Select(v => v.Name)) + " |");
        r.AppendLine("| --- |" + string.Concat(variants.Select(_ => " --- |")));
        r.Append(CultureInfo.InvariantCulture, $"| {seen} users seen before the outage, one request each | ").AppendLine(string.Join(" | ", variants.Select(v => $"{Statuses(v.SeenDuringOutage)}; p50 {Stats.Percentile(Ms(v.SeenDuringOutage), 0.5):0.0} ms, max {Ms(v.SeenDuringOutage).Max():0.0} ms")) + " |");
        r.AppendLine("| a new user, first request (breaker still closed: the connection is refused) | " + string.Join(" | ", variants.Select(v => $"{v.NewDuringOutage[0].Status} in {v.NewDuringOutage[0].Milliseconds:0.0} ms")) + " |");
        r.AppendLine("| the next new users (breaker open) | " + string.Join(" | ", variants.Select(v => $"{Statuses(v.NewDuringOutage.Skip(1))}; max {v.NewDuringOutage.Skip(1).Max(x => x.Milliseconds):0.0} ms")) + " |");
        r.AppendLine("| restarted: a new user's first 200, polled every 100 ms from the restart | " + string.Join(" | ", variants.Select(v => $"{v.Recovery.TotalSeconds:0.0} s")) + " |");
        r.AppendLine();
        r.AppendLine("Cache on, the users seen within the cache lifetime are answered by their grains; cache off, they are let in by the outage grace (verified within `OutageGrace` before the directory went away). A new user is refused with 503 `UNAVAILABLE`, never 401; after the restart the breaker lets one verification try the server once `BreakDuration` has passed.");
        return r.ToString();
    }

    private static void Row(StringBuilder r, string name, Variant[] variants, Func<Variant, string> cell, string model) =>
        r.Append("| ").Append(name).Append(" | ").AppendJoin(" | ", variants.Select(cell)).Append(" | ").Append(model).AppendLine(" |");

    private static IEnumerable<double> Ms(IEnumerable<Timed> results) => results.Select(x => x.Milliseconds);

    private static string Statuses(IEnumerable<Timed> results) =>
        string.Join(", ", results.GroupBy(x => x.Status).OrderBy(g => g.Key).Select(g => $"{g.Key} ×{g.Count()}"));

    private sealed record WorkloadResult(List<Timed> Results, TimeSpan Elapsed, int UserBinds, int ServiceBinds, int Searches);

    /// <summary>One configuration of the cluster and what was measured with it.</summary>
    private sealed class Variant(string name, string setting, string? cacheTtl, string prefix)
    {
        public string Name { get; } = name;

        public string Setting { get; } = setting;

        public string? CacheTtl { get; } = cacheTtl;

        public string Prefix { get; } = prefix;

        public WorkloadResult? Workload { get; set; }

        public List<double> First { get; set; } = [];

        public List<double> Later { get; set; } = [];

        public List<Timed> SeenDuringOutage { get; } = [];

        public List<Timed> NewDuringOutage { get; } = [];

        public TimeSpan Recovery { get; set; }
    }
}
