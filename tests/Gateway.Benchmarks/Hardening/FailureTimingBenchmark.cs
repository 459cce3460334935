using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Gateway.Benchmarks.Harness;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.Benchmarks.Hardening;

/// <summary>
/// Failed logins cost the same whatever the hash (issue 12): one gateway node whose htpasswd file holds users at bcrypt
/// costs 4, 5, 10 and 12; wrong passwords for each, unknown users, and right passwords (first verification, and cached),
/// sent in interleaved rounds with a fresh password each time (nothing cached, nothing coalesced); median and p90 wall
/// time per kind, side by side, with each failure median's ratio to the unknown user's.
/// <c>dotnet run -c Release --project tests/Gateway.Benchmarks -- failure-timing [--samples N] [--out FILE]</c>
/// </summary>
public static class FailureTimingBenchmark
{
    private static readonly int[] Costs = [4, 5, 10, 12];

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var samples = Option(args, "--samples", 30);
        var outPath = OptionText(args, "--out") ?? "failure-timing.md";
        using var temp = TempDirectory.Create();
        var htpasswd = temp.Combine("htpasswd");
        var lines = new StringBuilder();
        foreach (var cost in Costs)
        {
            lines.Append(CultureInfo.InvariantCulture, $"cost{cost}:").Append(BCrypt.Net.BCrypt.HashPassword("right-" + cost, cost).Replace("$2a$", "$2y$", StringComparison.Ordinal)).Append('\n');
        }

        await File.WriteAllTextAsync(htpasswd, lines.ToString()).ConfigureAwait(false);
        await using var registry = await RegistryServer.StartAsync(temp, new RegistryOptions { LogLevel = "warn" }).ConfigureAwait(false);
        await using var node = await GatewayNode.StartAsync(new GatewayNodeOptions
        {
            BackendUrls = [registry.BaseUrl.ToString().TrimEnd('/')],
            HtpasswdFile = htpasswd,
            AuthCacheTtl = TimeSpan.FromMinutes(30),
            Environment = new Dictionary<string, string?>
            {
                // Nothing locks during the measurement: the point is the time of each answer.
                ["Gateway__Lockout__MaxFailures"] = "1000",
                ["Gateway__Lockout__MaxFailuresPerUser"] = "100000",
                ["Gateway__Lockout__MaxFailuresPerAddress"] = "100000",
            },
        }).ConfigureAwait(false);
        using var http = node.CreateClient();

        var kinds = new List<(string Name, Func<int, (string User, string Password)> Credentials)>
        {
            ("unknown user", i => ($"nobody-{i}", "guess-" + i)),
        };
        kinds.AddRange(Costs.Select(c => ($"wrong password, cost {c}", (Func<int, (string, string)>)(i => ($"cost{c}", "wrong-" + i)))));
        var times = kinds.ToDictionary(k => k.Name, _ => new List<double>());
        var success = Costs.ToDictionary(c => c, _ => new List<double>());

        // Warm-up: JIT, the first verification at each cost (the padding learns from real verifications).
        foreach (var cost in Costs)
        {
            await TimeAsync(http, $"cost{cost}", "right-" + cost).ConfigureAwait(false);
            await TimeAsync(http, $"cost{cost}", "warm-wrong").ConfigureAwait(false);
        }

        await TimeAsync(http, "nobody-warm", "x").ConfigureAwait(false);
        output.WriteLine($"Sampling {samples} rounds of {kinds.Count} kinds…");
        for (var i = 0; i < samples; i++)
        {
            foreach (var (name, credentials) in kinds)
            {
                var (user, password) = credentials(i);
                var (status, ms) = await TimeAsync(http, user, password).ConfigureAwait(false);
                if (status != 401)
                {
                    throw new InvalidOperationException($"{name}: answered {status}, not 401");
                }

                times[name].Add(ms);
            }

            foreach (var cost in Costs)
            {
                success[cost].Add((await TimeAsync(http, $"cost{cost}", "right-" + cost).ConfigureAwait(false)).Milliseconds);
            }
        }

        var unknown = Stats.Median(times["unknown user"]);
        var report = new StringBuilder();
        report.AppendLine("# Failed logins: time by kind (issue 12)").AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"One gateway node (TLS, localhost clustering) on this machine; users at bcrypt costs {string.Join(", ", Costs)} in one htpasswd file; {samples} interleaved rounds, a new wrong password each time; wall time of `GET /v2/` seen by the client.").AppendLine();
        report.AppendLine("| kind | median ms | p90 ms | median / unknown user's |").AppendLine("| --- | ---: | ---: | ---: |");
        foreach (var (name, _) in kinds)
        {
            var median = Stats.Median(times[name]);
            report.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {median:0.0} | {Percentile(times[name], 0.9):0.0} | {median / unknown:0.00} |");
        }

        foreach (var cost in Costs)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"| right password, cost {cost} (cached after the first) | {Stats.Median(success[cost]):0.0} | {Percentile(success[cost], 0.9):0.0} | – |");
        }

        var spread = kinds.Select(k => Stats.Median(times[k.Name])).ToList();
        report.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Largest failure median / smallest: {spread.Max() / spread.Min():0.00} (goal: every median within 10 % of the others).");
        await File.WriteAllTextAsync(outPath, report.ToString()).ConfigureAwait(false);
        output.WriteLine(report.ToString());
        return 0;
    }

    private static async Task<(int Status, double Milliseconds)> TimeAsync(HttpClient http, string user, string password)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/")
        {
            Headers = { Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"))) },
        };
        var watch = Stopwatch.StartNew();
        using var response = await http.SendAsync(request).ConfigureAwait(false);
        return ((int)response.StatusCode, watch.Elapsed.TotalMilliseconds);
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)];
    }

    internal static int Option(string[] args, string name, int fallback) =>
        OptionText(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    internal static string? OptionText(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }
}
