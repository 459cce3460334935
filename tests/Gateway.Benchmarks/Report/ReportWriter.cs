using System.Globalization;
using System.Text;
using Gateway.Benchmarks.Harness;
using Gateway.Benchmarks.Targets;
using Gateway.Benchmarks.Workloads;

namespace Gateway.Benchmarks.Report;

/// <summary>
/// The Markdown report: the machine, the targets, the goals (ratios measured in this run, each ✅/❌), one table per
/// workload with a row for every target, and "What bounds it" with the evidence for each goal missed.
/// </summary>
public static partial class ReportWriter
{
    private const double MiB = 1024 * 1024;

    public static string Write(BenchmarkResults r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var md = new StringBuilder();
        var goals = new List<Goal>();
        md.AppendLine("# Registry Gateway: side-by-side benchmark");
        md.AppendLine();
        Line(md, $"Run {r.Started:yyyy-MM-dd HH:mm} UTC, {r.Elapsed.TotalMinutes:0.0} min: `dotnet run -c Release --project tests/Gateway.Benchmarks -- {r.Options.Describe()}`"
            + (r.Options.Quick ? " (`--quick`: a smoke-sized run; its figures say little)" : "") + ".");
        md.AppendLine();
        Line(md, $"Every figure is the median over {r.Options.Rounds} round(s), with the range (min–max) next to it. Targets are interleaved: each round runs "
            + "every workload against every target in turn (A B C A B C…), so ratios come from runs made minutes apart on the same machine. "
            + "Ratios are the median of the per-round ratios.");
        if (r.Failure is not null)
        {
            md.AppendLine();
            Line(md, $"**The run ended early:** {r.Failure}");
        }

        WriteMachine(md, r);
        WriteTargets(md, r);
        var sections = new StringBuilder();
        WriteSmall(sections, r, goals);
        WritePushPull(sections, r, goals);
        WritePushPullCurl(sections, r, goals);
        WriteRssBlob(sections, r, goals);
        WriteFleetPull(sections, r, goals);
        WriteFlood(sections, r, goals);
        WriteRateLimit(sections, r, goals);
        WriteTokens(sections, r);
        WriteTokenCopy(sections, r);
        WriteGoals(md, goals);
        md.Append(sections);
        WriteBounds(md, r, goals);
        return md.ToString();
    }

    private static void WriteMachine(StringBuilder md, BenchmarkResults r)
    {
        var m = r.Machine;
        md.AppendLine();
        md.AppendLine("## Machine");
        md.AppendLine();
        md.AppendLine("| | |");
        md.AppendLine("| --- | --- |");
        Line(md, $"| cores (`nproc`) | {m.Cores} |");
        Line(md, $"| CPU | {m.CpuModel} |");
        Line(md, $"| memory | {m.Memory} |");
        Line(md, $"| kernel | {m.Kernel} |");
        Line(md, $"| OS | {m.OperatingSystem} |");
        foreach (var (name, version) in m.Versions)
        {
            Line(md, $"| {name} | {Escape(version)} |");
        }

        Line(md, $"| load average (1, 5, 15 min) | at start {m.LoadAverageAtStart}; at end {r.LoadAverageAtEnd} |");
        md.AppendLine();
        Line(md, $"Everything runs on this one machine, on loopback: the load generator (this process, HttpClient), the servers and skopeo share the {m.Cores} cores. "
            + "A load average above the core count at the start means other work was running too; absolute figures then drift, ratios less.");
    }

    private static void WriteTargets(StringBuilder md, BenchmarkResults r)
    {
        md.AppendLine();
        md.AppendLine("## Targets");
        md.AppendLine();
        md.AppendLine("| target | what it is | idle CPU (cores) |");
        md.AppendLine("| --- | --- | ---: |");
        foreach (var t in r.Targets)
        {
            Line(md, $"| {t.Name} | {t.Description} | {(t.HasProxy ? N(t.IdleProxyCores, "0.000") : "—")} |");
        }

        md.AppendLine();
        Line(md, $"All targets serve the same registry (one `docker-registry` process, filesystem storage). nginx: the recipe's `nginx.conf` as `up.sh` runs it "
            + "(`user nobody nogroup`, temp paths, `proxy_request_buffering off; proxy_buffering off; proxy_http_version 1.1`), with `worker_processes auto` "
            + "and an upstream keep-alive pool (the recipe has neither: one worker, a new registry connection per request). "
            + $"Per-request logs: {(r.Options.AccessLogs ? "on for both (nginx `access_log` to a file, the gateway's audit log to its console)" : "off for both (nginx `access_log off`, the gateway's `Gateway.Audit` category at Warning); `--access-logs` turns them on")}. "
            + "The gateway runs with its lockout defaults, set explicitly: `MaxFailures` 5, `Window` and `Duration` 15 min, `MaxFailuresPerUser` 50, `MaxFailuresPerAddress` 100. "
            + "Clients use HTTP/1.1 for the small requests; skopeo uses HTTP/2 where it is offered (the gateway's Kestrel, HAProxy) and HTTP/1.1 with nginx (no `http2` on its `listen`, as in the recipe).");
    }

    // ----- small requests -----

    private static void WriteSmall(StringBuilder md, BenchmarkResults r, List<Goal> goals)
    {
        if (r.SmallWorkloads.Count == 0)
        {
            NotMeasured(md, r, "small", "Small authenticated requests");
            return;
        }

        md.AppendLine();
        md.AppendLine("## Small authenticated requests");
        md.AppendLine();
        Line(md, $"One user, cached credentials (Basic on every request), {r.Options.Seconds:0.##} s measured per run after {r.Options.WarmupSeconds:0.##} s of warm-up; "
            + "each connection sends its next request when the previous answer has arrived. CPU per request is utime + stime from `/proc/PID/stat` "
            + "over the measured window: *proxy* = the target's processes (nginx master and workers; the gateway node(s); for gateway-3 also HAProxy and Redis), "
            + "net of what they use when idle (the Targets table), *registry* = the registry, *client* = the load generator. *cores busy*: all three together, idle use included.");
        foreach (var w in r.SmallWorkloads)
        {
            md.AppendLine();
            Line(md, $"### `{w.Key}`: {w.Title}");
            md.AppendLine();
            md.AppendLine("| target | requests/s | range | p50 ms | p99 ms | proxy CPU µs/req | registry CPU µs/req | client CPU µs/req | cores busy | errors |");
            md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
            foreach (var t in r.Targets)
            {
                var runs = r.Small.Where(s => s.Workload.Key == w.Key && s.Target == t.Name).ToList();
                if (runs.Count == 0)
                {
                    Line(md, $"| {t.Name} | not run | | | | | | | | |");
                    continue;
                }

                var rps = runs.Select(s => s.Load.RequestsPerSecond).ToList();
                var errors = runs.Sum(s => s.Load.Errors);
                var statuses = string.Join("; ", runs.Where(s => s.Load.Errors > 0).Select(s => s.Load.StatusSummary).Distinct());
                Line(md, $"| {t.Name} | {N(Stats.Median(rps), "0")} | {RangeText(rps, "0")} | {N(Stats.Median(runs.Select(s => s.Load.P50Milliseconds)), "0.00")} "
                    + $"| {N(Stats.Median(runs.Select(s => s.Load.P99Milliseconds)), "0.00")} "
                    + $"| {(t.HasProxy ? N(Stats.Median(runs.Select(s => s.ProxyMicrosPerRequest(true) ?? double.NaN)), "0") : "—")} "
                    + $"| {N(Stats.Median(runs.Select(s => s.RegistryMicrosPerRequest ?? double.NaN)), "0")} "
                    + $"| {N(Stats.Median(runs.Select(s => s.ClientMicrosPerRequest ?? double.NaN)), "0")} "
                    + $"| {N(Stats.Median(runs.Select(s => s.Load.Cpu?.Cores ?? double.NaN)), "0.00")} "
                    + $"| {(errors == 0 ? "0" : $"{errors} ({statuses})")} |");
            }
        }

        // Goals: the many-connections workloads.
        var many = r.SmallWorkloads.Where(w => w.Connections > 1).ToList();
        foreach (var gateway in r.Targets.Where(t => t.IsGateway))
        {
            foreach (var w in many)
            {
                foreach (var (other, factor) in new[] { (TargetNames.NginxTls, NginxTlsFactor(gateway.Name, w.Key)), (TargetNames.NginxBcrypt5, 2.0), (TargetNames.NginxBcrypt10, 20.0) })
                {
                    var ratios = PerRoundRatios(r, w.Key, gateway.Name, other);
                    if (ratios.Count > 0)
                    {
                        goals.Add(new Goal(
                            "small",
                            $"`{w.Key}`: {gateway.Name} ≥ {factor:0.#} × {other} (requests/s)",
                            gateway.Name,
                            Ratio(ratios),
                            Stats.Median(ratios) >= factor,
                            $"small:{w.Key}:{gateway.Name}:{other}"));
                    }
                }
            }
        }
    }

    /// <summary>
    /// What a gateway target must reach against nginx-tls: 0.8× in general (issue 7); 1.5× with the edge cache on, for the
    /// answers it serves from memory (issue 18: GET manifest by digest, HEAD blob).
    /// </summary>
    private static double NginxTlsFactor(string gateway, string workload) =>
        IsCacheTarget(gateway) && (workload.StartsWith("get-manifest-digest-", StringComparison.Ordinal) || workload.StartsWith("head-blob-", StringComparison.Ordinal)) ? 1.5 : 0.8;

    private static List<double> PerRoundRatios(BenchmarkResults r, string workload, string a, string b) =>
    [
        .. Enumerable.Range(1, r.Options.Rounds)
            .Select(round => (
                A: r.Small.FirstOrDefault(s => s.Workload.Key == workload && s.Target == a && s.Round == round),
                B: r.Small.FirstOrDefault(s => s.Workload.Key == workload && s.Target == b && s.Round == round)))
            .Where(p => p.A is not null && p.B is not null && p.B.Load.RequestsPerSecond > 0)
            .Select(p => p.A!.Load.RequestsPerSecond / p.B!.Load.RequestsPerSecond),
    ];

    // ----- push and pull -----

    private static void WritePushPull(StringBuilder md, BenchmarkResults r, List<Goal> goals)
    {
        if (r.PushPull.Count == 0)
        {
            NotMeasured(md, r, "push-pull", "Image push and pull");
            return;
        }

        md.AppendLine();
        Line(md, $"## `push-pull`: {r.Options.ImageMiB} MiB image, push and pull with skopeo");
        md.AppendLine();
        Line(md, $"`skopeo copy --preserve-digests` of an OCI layout with fresh random uncompressed layers ({Math.Min(r.Options.ImageMiB, 64)} MiB each; new data every run, "
            + "so nothing is deduplicated or mounted) to the target, then back into an OCI layout; MiB/s = image size ÷ the skopeo command's wall time "
            + "(its start and TLS handshakes included). RSS: VmRSS of the proxy processes sampled every 50 ms from before the push to after the pull. "
            + "The image is deleted from the registry's storage after each run.");
        md.AppendLine();
        md.AppendLine("| target | push MiB/s | range | pull MiB/s | range | proxy CPU s per push+pull (net of idle) | of which push | RSS idle MiB | RSS peak MiB | largest growth of one process MiB | errors |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var t in r.Targets)
        {
            var runs = r.PushPull.Where(p => p.Target == t.Name).ToList();
            if (runs.Count == 0)
            {
                Line(md, $"| {t.Name} | not run | | | | | | | | | |");
                continue;
            }

            var push = runs.Select(p => p.PushMiBPerSecond ?? double.NaN).ToList();
            var pull = runs.Select(p => p.PullMiBPerSecond ?? double.NaN).ToList();
            var errors = runs.Where(p => p.Error is not null).Select(p => Escape(p.Error!)).ToList();
            Line(md, $"| {t.Name} | {N(Stats.Median(push), "0.0")} | {RangeText(push, "0.0")} | {N(Stats.Median(pull), "0.0")} | {RangeText(pull, "0.0")} "
                + $"| {(t.HasProxy ? N(Stats.Median(runs.Select(p => p.ProxyCpuSeconds)), "0.00") : "—")} "
                + $"| {(t.HasProxy ? N(Stats.Median(runs.Select(p => p.PushProxyCpuSeconds ?? double.NaN)), "0.00") : "—")} "
                + $"| {(t.HasProxy ? N(Stats.Median(runs.Select(p => (p.Rss?.IdleSum ?? double.NaN) / MiB)), "0") : "—")} "
                + $"| {(t.HasProxy ? N(Stats.Median(runs.Select(p => (p.Rss?.PeakSum ?? double.NaN) / MiB)), "0") : "—")} "
                + $"| {(t.HasProxy ? N(runs.Max(p => (p.Rss?.MaxProcessGrowth ?? 0) / MiB), "0") : "—")} "
                + $"| {(errors.Count == 0 ? "0" : string.Join("; ", errors))} |");
        }

        foreach (var gateway in r.Targets.Where(t => t.IsGateway))
        {
            foreach (var (what, rate) in new (string, Func<PushPullResult, double?>)[] { ("push", p => p.PushMiBPerSecond), ("pull", p => p.PullMiBPerSecond) })
            {
                var ratios = PerRoundRatios(r.PushPull, r.Options.Rounds, p => p.Target, p => p.Round, gateway.Name, TargetNames.NginxTls, rate);
                if (ratios.Count > 0)
                {
                    goals.Add(new Goal("push-pull", $"{what} (skopeo): {gateway.Name} ≥ 1.0 × nginx-tls (MiB/s)", gateway.Name, Ratio(ratios), Stats.Median(ratios) >= 1.0, $"push-pull:{what}:{gateway.Name}"));
                }
            }

            var growth = r.PushPull.Where(p => p.Target == gateway.Name && p.Rss is not null).Select(p => p.Rss!.MaxProcessGrowth / MiB).ToList();
            if (growth.Count > 0)
            {
                goals.Add(new Goal(
                    "push-pull",
                    $"{gateway.Name}: peak RSS grows < 64 MiB over idle",
                    gateway.Name,
                    string.Create(CultureInfo.InvariantCulture, $"largest growth {growth.Max():0} MiB"),
                    growth.Max() < 64,
                    $"push-pull:rss:{gateway.Name}"));
            }
        }
    }

    // ----- flood -----

    private static void WriteFlood(StringBuilder md, BenchmarkResults r, List<Goal> goals)
    {
        if (r.Flood.Count == 0)
        {
            NotMeasured(md, r, "flood", "Wrong-password flood");
            return;
        }

        md.AppendLine();
        md.AppendLine("## `flood`: wrong-password flood against one user");
        md.AppendLine();
        Line(md, $"{r.Options.FloodConnections} connections from one client address (127.0.1.R) send a different wrong password each, for at least "
            + $"{r.Options.FloodSeconds:0.#} s and until the logins made during it are answered. A legitimate login = a new connection (TCP, TLS) and "
            + "`GET /v2/` for a user never seen before, from another address (127.0.2.R), so every target runs one real bcrypt for it; "
            + $"{Flood.LoginsWithoutFlood(r.Options)} logins without a flood, then one per second from one second into the flood ({Flood.LoginsDuringFlood(r.Options)}). "
            + "The addresses are the sockets' real source addresses (the generator binds them; every 127/8 address is local), so the gateway tells the clients apart "
            + "directly and through HAProxy (X-Forwarded-For), without trusting a header from the client. "
            + "*bcrypt of wrong passwords*: the nodes' `gateway_auth_bcrypt_verifications_total{result=\"failure\"}` before and after; nginx runs bcrypt for every guess. "
            + "*flooded user elsewhere*: the flooded user with its right password from the other address, after the flood.");
        md.AppendLine();
        md.AppendLine("| target | guesses answered/s | range | answers | proxy cores busy | proxy CPU ms/guess (net of idle) | bcrypt of wrong passwords | login without flood ms | login during flood ms | during ÷ without | flooded user elsewhere |");
        md.AppendLine("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var t in r.Targets)
        {
            var runs = r.Flood.Where(f => f.Target == t.Name).ToList();
            if (!t.Authenticates)
            {
                Line(md, $"| {t.Name} | n/a: no authentication | | | | | | | | | |");
                continue;
            }

            if (runs.Count == 0)
            {
                Line(md, $"| {t.Name} | not run | | | | | | | | | |");
                continue;
            }

            var rate = runs.Select(f => f.GuessesPerSecond).ToList();
            var answers = string.Join("; ", runs.Select(f => f.Guesses.StatusSummary).Distinct());
            var bcrypt = t.IsGateway
                ? string.Join(", ", runs.Select(f => N(f.BcryptFailures ?? double.NaN, "0"))) + " (per round)"
                : "every guess";
            var failed = runs.Sum(f => f.FailedLogins);
            Line(md, $"| {t.Name} | {N(Stats.Median(rate), "0")} | {RangeText(rate, "0")} | {answers} "
                + $"| {N(Stats.Median(runs.Select(f => f.ProxyCores ?? double.NaN)), "0.00")} | {N(Stats.Median(runs.Select(f => f.CpuMillisPerGuess ?? double.NaN)), "0.000")} "
                + $"| {bcrypt} | {N(Stats.Median(runs.Select(f => f.LoginWithoutMs)), "0")} | {N(Stats.Median(runs.Select(f => f.LoginDuringMs)), "0")}{(failed > 0 ? $" ({failed} logins refused)" : "")} "
                + $"| {N(Stats.Median(runs.Select(f => f.LoginDuringMs / f.LoginWithoutMs)), "0.0")}× "
                + $"| {string.Join(", ", runs.Select(f => f.FloodedUserElsewhereStatus).Distinct())} |");
        }

        foreach (var gateway in r.Targets.Where(t => t.IsGateway))
        {
            var runs = r.Flood.Where(f => f.Target == gateway.Name).ToList();
            if (runs.Count == 0)
            {
                continue;
            }

            var most = runs.Max(f => f.BcryptFailures ?? double.PositiveInfinity);
            goals.Add(new Goal(
                "flood",
                $"{gateway.Name}: no bcrypt after the lockout threshold ({BenchmarkStack.MaxFailures} wrong passwords)",
                gateway.Name,
                string.Create(CultureInfo.InvariantCulture, $"wrong passwords checked with bcrypt: at most {most:0} per flood (guesses answered per flood: {Stats.Median(runs.Select(f => (double)f.Guesses.Requests)):0})"),
                most <= BenchmarkStack.MaxFailures,
                $"flood:bcrypt:{gateway.Name}"));
            var ratios = runs.Select(f => f.LoginDuringMs / f.LoginWithoutMs).ToList();
            goals.Add(new Goal(
                "flood",
                $"{gateway.Name}: a login during the flood ≤ 2 × without",
                gateway.Name,
                Ratio(ratios) + string.Create(CultureInfo.InvariantCulture, $" ({Stats.Median(runs.Select(f => f.LoginWithoutMs)):0} → {Stats.Median(runs.Select(f => f.LoginDuringMs)):0} ms)"),
                Stats.Median(ratios) <= 2.0 && runs.All(f => f.FailedLogins == 0),
                $"flood:login:{gateway.Name}"));
        }
    }

    // ----- rate limit -----

    private static void WriteRateLimit(StringBuilder md, BenchmarkResults r, List<Goal> goals)
    {
        if (r.RateLimit.Count == 0)
        {
            NotMeasured(md, r, "rate-limit", "Rate-limit exactness");
            return;
        }

        var limit = r.RateLimit[0].Limit;
        md.AppendLine();
        md.AppendLine("## `rate-limit`: exactness with three nodes");
        md.AppendLine();
        Line(md, $"One user, limit {limit} requests per window; {(RateLimit.Nodes + 1) * limit} `GET /v2/` sent ((nodes + 1) × the limit), round-robin over three nodes, 8 at a time; "
            + $"the 200s counted. Gateway: three nodes (role all, Redis) started for this workload with `Gateway__RateLimit__Requests__Limit={limit}`, "
            + $"window 1 h, each serving TLS; requests go to the nodes directly. nginx: three `server` blocks (three \"nodes\"), each with its own "
            + $"`limit_req_zone $remote_user … rate={Math.Max(1, (int)Math.Round(limit / 60.0))}r/m` and `limit_req … burst={limit - 1} nodelay` "
            + $"({limit} at once per node, then {Math.Max(1, (int)Math.Round(limit / 60.0))} per minute: the nearest `limit_req` gets to {limit} per hour), `limit_req_status 429`, auth_basic at cost 5. Each round uses a fresh user.");
        md.AppendLine();
        md.AppendLine("| target | nodes | limit per user | requests sent | passed (200) | range | refused (429) | other | passed ÷ limit |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var name in r.RateLimit.Select(x => x.Target).Distinct())
        {
            var runs = r.RateLimit.Where(x => x.Target == name).ToList();
            var passed = runs.Select(x => (double)x.Passed).ToList();
            Line(md, $"| {name} | {runs[0].Nodes} | {runs[0].Limit} | {runs[0].Sent} | {N(Stats.Median(passed), "0")} | {RangeText(passed, "0")} "
                + $"| {N(Stats.Median(runs.Select(x => (double)x.Refused)), "0")} | {N(Stats.Median(runs.Select(x => (double)x.Other)), "0")} "
                + $"| {N(Stats.Median(runs.Select(x => x.PassedPerLimit)), "0.00")} |");
        }

        var gateway = r.RateLimit.Where(x => x.Target == TargetNames.Gateway3).ToList();
        if (gateway.Count > 0)
        {
            goals.Add(new Goal(
                "rate-limit",
                "gateway-3: exactly the limit passes, whatever node a request lands on",
                TargetNames.Gateway3,
                string.Join(", ", gateway.Select(x => string.Create(CultureInfo.InvariantCulture, $"{x.Passed} of limit {x.Limit}"))),
                gateway.All(x => x.Passed == x.Limit && x.Other == 0),
                "rate-limit:gateway-3"));
        }
    }

    // ----- tokens -----

    private static void WriteTokens(StringBuilder md, BenchmarkResults r)
    {
        md.AppendLine();
        md.AppendLine("## `tokens`: tokens per second for a cached user");
        md.AppendLine();
        if (r.Tokens.Count == 0)
        {
            md.AppendLine(r.NotMeasured.GetValueOrDefault("tokens", r.Options.Runs("tokens") ? Tokens.NotBuilt : "not run in this run (see `--workloads`)."));
            return;
        }

        Line(md, $"`GET {Tokens.Path}` with Basic credentials of a cached user, {r.Options.Connections} connections.");
        md.AppendLine();
        md.AppendLine("| target | tokens/s | range | p50 ms | p99 ms | errors |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | --- |");
        foreach (var t in r.Targets)
        {
            var runs = r.Tokens.Where(x => x.Target == t.Name).ToList();
            if (runs.Count == 0)
            {
                Line(md, $"| {t.Name} | n/a{(t.IsGateway ? "" : ": no token endpoint")} | | | | |");
                continue;
            }

            var rate = runs.Select(x => x.Load.RequestsPerSecond).ToList();
            Line(md, $"| {t.Name} | {N(Stats.Median(rate), "0")} | {RangeText(rate, "0")} | {N(Stats.Median(runs.Select(x => x.Load.P50Milliseconds)), "0.00")} "
                + $"| {N(Stats.Median(runs.Select(x => x.Load.P99Milliseconds)), "0.00")} | {runs.Sum(x => x.Load.Errors)} |");
        }

        if (r.Bcrypt.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("docker_auth checks the password with bcrypt on every token request (it has no cache), so one core issues at most one token per bcrypt. "
                + "One verification measured here (BCrypt.Net-Next, median; Go's x/crypto/bcrypt is of the same order):");
            md.AppendLine();
            md.AppendLine("| bcrypt cost | one verification ms | docker_auth ceiling, tokens/s per core | on this machine's cores | gateway-1 tokens/s ÷ that ceiling |");
            md.AppendLine("| ---: | ---: | ---: | ---: | ---: |");
            var gateway = r.Tokens.Where(x => x.Target == TargetNames.Gateway1).Select(x => x.Load.RequestsPerSecond).ToList();
            foreach (var b in r.Bcrypt)
            {
                var perCore = 1000 / b.MedianMilliseconds;
                var machine = perCore * r.Machine.Cores;
                Line(md, $"| {b.Cost} | {N(b.MedianMilliseconds, "0.0")} | {N(perCore, "0")} | {N(machine, "0")} | {(gateway.Count > 0 ? N(Stats.Median(gateway) / machine, "0.0") + "×" : "n/a")} |");
            }
        }
    }

    // ----- token-copy -----

    private static void WriteTokenCopy(StringBuilder md, BenchmarkResults r)
    {
        md.AppendLine();
        md.AppendLine("## `token-copy`: `skopeo copy` of a small image, basic mode against token mode");
        md.AppendLine();
        if (r.TokenCopy.Count == 0)
        {
            md.AppendLine(r.NotMeasured.GetValueOrDefault("token-copy", "not run in this run (see `--workloads`)."));
            return;
        }

        md.AppendLine("Three fresh random layers (4 KiB, 64 KiB, 1 MiB) pushed with `skopeo copy --preserve-digests`, a new skopeo process (so a new login) each time; "
            + "basic mode is gateway-1, token mode a second node of the same build with `Gateway:Auth:Mode=token`; copies alternate between the two.");
        md.AppendLine();
        md.AppendLine("| mode | median s | range | copies | errors |");
        md.AppendLine("| --- | ---: | ---: | ---: | --- |");
        var medians = new Dictionary<string, double>();
        foreach (var mode in new[] { "basic", "token" })
        {
            var runs = r.TokenCopy.Where(x => x.Mode == mode).ToList();
            var times = runs.Where(x => x.Elapsed is not null).Select(x => x.Elapsed!.Value.TotalSeconds).ToList();
            if (times.Count > 0)
            {
                medians[mode] = Stats.Median(times);
            }

            var errors = runs.Where(x => x.Error is not null).Select(x => x.Error).Distinct().ToList();
            Line(md, $"| {mode} | {(times.Count > 0 ? N(Stats.Median(times), "0.000") : "n/a")} | {(times.Count > 0 ? RangeText(times, "0.000") : "")} | {times.Count} | {(errors.Count == 0 ? "0" : string.Join("; ", errors))} |");
        }

        if (medians.TryGetValue("basic", out var basic) && medians.TryGetValue("token", out var token) && basic > 0)
        {
            md.AppendLine();
            Line(md, $"Token mode takes {N(token / basic, "0.00")}× the time of basic mode (medians).");
        }
    }

    // ----- goals and what bounds them -----

    private static void WriteGoals(StringBuilder md, List<Goal> goals)
    {
        md.AppendLine();
        md.AppendLine("## Goals (issue 7), measured in this run");
        md.AppendLine();
        if (goals.Count == 0)
        {
            md.AppendLine("No goal could be evaluated in this run (it needs a gateway target and the target it is compared with).");
            return;
        }

        md.AppendLine("| | goal | measured |");
        md.AppendLine("| --- | --- | --- |");
        foreach (var g in goals)
        {
            Line(md, $"| {(g.Met ? "✅" : "❌")} | {g.Text} | {g.Measured} |");
        }

        md.AppendLine();
        Line(md, $"{goals.Count(g => g.Met)} of {goals.Count} met. gateway-3 runs three nodes, HAProxy and Redis on the same cores as everything else, "
            + "so on this machine it measures the cost of the extra hop and the cluster, not the gain from more machines.");
    }

    private static void WriteBounds(StringBuilder md, BenchmarkResults r, List<Goal> goals)
    {
        md.AppendLine();
        md.AppendLine("## What bounds it");
        md.AppendLine();
        var missed = goals.Where(g => !g.Met).ToList();
        if (missed.Count == 0)
        {
            md.AppendLine(goals.Count == 0 ? "No goal was evaluated." : "Every goal evaluated in this run was met.");
            return;
        }

        Line(md, $"The machine has {r.Machine.Cores} cores; load generator, proxies and registry share them. When *cores busy* (the three parties' CPU over "
            + "the window) is near the core count, a run is CPU-bound and requests/s ≈ cores ÷ (CPU per request of all three): a target is faster exactly "
            + "by the CPU it does not spend. The tables below put the CPU each party spent per request side by side for each goal missed.");
        foreach (var g in missed.Where(g => g.Category == "small"))
        {
            var parts = g.Key.Split(':');
            var (workload, gateway, other) = (parts[1], parts[2], parts[3]);
            md.AppendLine();
            Line(md, $"**{g.Text}** — measured {g.Measured}.");
            md.AppendLine();
            md.AppendLine("| target | requests/s | proxy µs/req | registry µs/req | client µs/req | all µs/req | cores busy | predicted req/s (cores ÷ all) |");
            md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            double? gatewayProxy = null, otherProxy = null;
            foreach (var name in new[] { gateway, other })
            {
                var runs = r.Small.Where(s => s.Workload.Key == workload && s.Target == name).ToList();
                var proxy = Stats.Median(runs.Select(s => s.ProxyMicrosPerRequest(true) ?? double.NaN));
                var registry = Stats.Median(runs.Select(s => s.RegistryMicrosPerRequest ?? double.NaN));
                var client = Stats.Median(runs.Select(s => s.ClientMicrosPerRequest ?? double.NaN));
                var all = proxy + registry + client;
                (name == gateway ? ref gatewayProxy : ref otherProxy) = proxy;
                Line(md, $"| {name} | {N(Stats.Median(runs.Select(s => s.Load.RequestsPerSecond)), "0")} | {N(proxy, "0")} | {N(registry, "0")} | {N(client, "0")} | {N(all, "0")} "
                    + $"| {N(Stats.Median(runs.Select(s => s.Load.Cpu?.Cores ?? double.NaN)), "0.00")} | {N(r.Machine.Cores / all * 1e6, "0")} |");
            }

            if (gatewayProxy is { } gp && otherProxy is { } op && !double.IsNaN(gp) && !double.IsNaN(op))
            {
                md.AppendLine();
                Line(md, gp > op
                    ? $"{gateway} spends {gp - op:0} µs more proxy CPU per request than {other} ({gp:0} vs {op:0} µs): that CPU is what the ratio is missing. "
                        + "Where it goes inside the gateway (TLS, Kestrel, the grain call, YARP, metrics) is for a profiler: `dotnet-counters monitor -p PID` and "
                        + "`dotnet-trace collect -p PID --profile cpu-sampling` on a node during this workload, or the `micro` subcommand for the hot path's own share."
                    : $"{gateway} spends no more proxy CPU per request than {other} ({gp:0} vs {op:0} µs): the gap is not its CPU; see p50/p99 and the client's and registry's share (latency per hop, connection handling).");
            }
        }

        foreach (var group in missed.Where(g => g.Category == "push-pull").GroupBy(g => g.Target))
        {
            var g = group.First();
            foreach (var goal in group)
            {
                md.AppendLine();
                Line(md, $"**{goal.Text}** — measured {goal.Measured}.");
            }

            md.AppendLine();
            md.AppendLine("| target | push MiB/s | pull MiB/s | proxy CPU s per push+pull | proxy CPU ms per MiB moved | largest RSS growth MiB |");
            md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
            foreach (var name in new[] { g.Target, TargetNames.NginxTls, TargetNames.Direct }.Distinct())
            {
                var runs = r.PushPull.Where(p => p.Target == name).ToList();
                if (runs.Count == 0)
                {
                    continue;
                }

                var cpu = Stats.Median(runs.Select(p => p.ProxyCpuSeconds));
                Line(md, $"| {name} | {N(Stats.Median(runs.Select(p => p.PushMiBPerSecond ?? double.NaN)), "0.0")} | {N(Stats.Median(runs.Select(p => p.PullMiBPerSecond ?? double.NaN)), "0.0")} "
                    + $"| {N(cpu, "0.00")} | {N(cpu * 1000 / (2 * r.Options.ImageMiB), "0.0")} | {N(runs.Max(p => (p.Rss?.MaxProcessGrowth ?? 0) / MiB), "0")} |");
            }

            md.AppendLine();
            md.AppendLine("skopeo, the registry (hashing and writing every byte) and the proxy share the cores: proxy CPU per MiB is the proxy's part of the bill, and `direct` shows what the "
                + "transfer costs without any proxy. A proxy that spends more CPU per MiB than nginx leaves less for skopeo and the registry.");
        }

        WriteCurlBounds(md, r, missed);

        foreach (var g in missed.Where(g => g.Category == "flood"))
        {
            md.AppendLine();
            Line(md, $"**{g.Text}** — measured {g.Measured}.");
            var runs = r.Flood.Where(f => f.Target == g.Target).ToList();
            md.AppendLine();
            foreach (var f in runs)
            {
                Line(md, $"- round {f.Round}: {f.Guesses.Requests} guesses answered ({f.Guesses.StatusSummary}), bcrypt of wrong passwords {N(f.BcryptFailures ?? double.NaN, "0")}, "
                    + $"proxy {N(f.ProxyCores ?? double.NaN, "0.00")} cores busy; logins without {string.Join(", ", f.LoginsWithout.Select(l => l.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)))} ms, "
                    + $"during {string.Join(", ", f.LoginsDuring.Select(l => l.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)))} ms{(f.FailedLogins > 0 ? $", {f.FailedLogins} refused" : "")}.");
            }

            md.AppendLine();
            md.AppendLine("A login needs one bcrypt at cost 10 on a core the flood's answers (and the load generator sending it) keep busy: during the flood the login's bcrypt "
                + "competes with the flood's TLS and request handling for CPU even when no wrong password is checked any more.");
        }

        foreach (var g in missed.Where(g => g.Category == "rate-limit"))
        {
            md.AppendLine();
            Line(md, $"**{g.Text}** — measured {g.Measured}. Budgets live in the user's grain; a count above the limit means a second activation of the grain "
                + "(a silo change during the run) or requests answered without a grain decision; \"other\" answers are 503s from failed grain calls.");
        }
    }

    // ----- helpers -----

    private static void NotMeasured(StringBuilder md, BenchmarkResults r, string key, string title)
    {
        md.AppendLine();
        Line(md, $"## `{key}`: {title}");
        md.AppendLine();
        md.AppendLine(r.NotMeasured.GetValueOrDefault(key, "not run in this run (see `--workloads` and `--targets`)."));
    }

    private static string Ratio(IReadOnlyList<double> ratios) =>
        ratios.Count == 1
            ? N(ratios[0], "0.00") + "×"
            : $"{N(Stats.Median(ratios), "0.00")}× ({RangeText(ratios, "0.00")})";

    private static string RangeText(IEnumerable<double> values, string format)
    {
        var (min, max) = Stats.Range(values);
        return double.IsNaN(min) ? "–" : $"{N(min, format)}–{N(max, format)}";
    }

    private static string N(double value, string format) =>
        double.IsNaN(value) || double.IsInfinity(value) ? "–" : value.ToString(format, CultureInfo.InvariantCulture);

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    private static void Line(StringBuilder md, string text) => md.AppendLine(text);

    private sealed record Goal(string Category, string Text, string Target, string Measured, bool Met, string Key);
}
