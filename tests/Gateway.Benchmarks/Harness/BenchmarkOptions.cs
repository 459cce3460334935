using System.Globalization;

namespace Gateway.Benchmarks.Harness;

/// <summary>What one run measures, from the command line.</summary>
public sealed record BenchmarkOptions
{
    /// <summary>Every target, in the order each round visits them.</summary>
    public static readonly IReadOnlyList<string> AllTargets =
        [TargetNames.Direct, TargetNames.NginxTls, TargetNames.NginxBcrypt5, TargetNames.NginxBcrypt10, TargetNames.YarpFloor, TargetNames.Gateway1, TargetNames.Gateway1Cache, TargetNames.Gateway3, TargetNames.Gateway3Cache];

    /// <summary>The targets of <c>--quick</c>.</summary>
    public static readonly IReadOnlyList<string> QuickTargets = [TargetNames.Direct, TargetNames.NginxTls, TargetNames.Gateway1];

    /// <summary>Every workload, by its key (the report's section names).</summary>
    public static readonly IReadOnlyList<string> AllWorkloads = ["small", "push-pull", "push-pull-curl", "rss-1g", "fleet-pull", "flood", "rate-limit", "tokens", "token-copy"];

    /// <summary>Rounds: each round visits every target once per workload (A B C A B C…).</summary>
    public int Rounds { get; init; } = 3;

    /// <summary>Measured seconds of each small-request run (one target, one workload, one round).</summary>
    public double Seconds { get; init; } = 3;

    /// <summary>Unmeasured seconds before each small-request run (connections, JIT, the credential cache).</summary>
    public double WarmupSeconds { get; init; } = 0.5;

    public bool Quick { get; init; }

    /// <summary>Where the Markdown report goes (it is printed too).</summary>
    public string OutputPath { get; init; } = "benchmark-report.md";

    public IReadOnlyList<string> Targets { get; init; } = AllTargets;

    public IReadOnlyList<string> Workloads { get; init; } = AllWorkloads;

    /// <summary>The "many connections" count of the small-request workloads (the other is 1).</summary>
    public int Connections { get; init; } = 32;

    /// <summary>Size of the pushed and pulled image, in MiB (fresh random layers each time).</summary>
    public int ImageMiB { get; init; } = 256;

    /// <summary>Size of the one blob the rss-1g workload pushes and pulls with curl through each target, in MiB.</summary>
    public int RssBlobMiB { get; init; } = 1024;

    /// <summary>Concurrent clients of the fleet-pull workload.</summary>
    public int FleetClients { get; init; } = 16;

    /// <summary>Pulls each fleet client makes per run (the count bounds the run; so does <see cref="FleetSeconds"/>).</summary>
    public int FleetPulls { get; init; } = 25;

    /// <summary>Longest a fleet-pull run may take.</summary>
    public double FleetSeconds { get; init; } = 60;

    /// <summary>Concurrent wrong-password guesses of the flood.</summary>
    public int FloodConnections { get; init; } = 32;

    /// <summary>Least duration of one flood (it lasts until the legitimate logins made during it are answered).</summary>
    public double FloodSeconds { get; init; } = 6;

    /// <summary>Requests per user per window for the rate-limit workload.</summary>
    public int RateLimit { get; init; } = 60;

    /// <summary>Per-request logs on both sides (nginx <c>access_log</c>, the gateway's <c>Gateway.Audit</c>); off by default.</summary>
    public bool AccessLogs { get; init; }

    public bool Help { get; init; }

    public static string Usage =>
        """
        Registry Gateway side-by-side benchmark.

          dotnet run -c Release --project tests/Gateway.Benchmarks -- [options]
          dotnet run -c Release --project tests/Gateway.Benchmarks -- micro [BenchmarkDotNet options]

        Options:
          --rounds N            rounds; each visits every target once per workload (default 3)
          --seconds S           measured seconds per small-request run (default 3)
          --warmup S            unmeasured seconds before each run (default 0.5)
          --quick               one round, 0.4 s runs, 8 MiB image, 32 MiB rss blob, short flood, targets direct,nginx-tls,gateway-1
          --out FILE            the Markdown report (default benchmark-report.md); it is printed too
          --targets a,b,…       direct, nginx-tls, nginx-bcrypt-5, nginx-bcrypt-10, yarp-floor, gateway-1, gateway-1-cache,
                                gateway-3, gateway-3-cache
          --workloads a,b,…     small, push-pull, push-pull-curl, rss-1g, fleet-pull, flood, rate-limit, tokens, token-copy
                                (default all)
          --fleet-clients N     concurrent clients of fleet-pull (default 16)
          --fleet-pulls N       pulls per client per fleet-pull run (default 25; at most 60 s a run)
          --connections N       the "many connections" case of the small requests (default 32)
          --image-mib N         pushed/pulled image size (default 256); also the blob of push-pull-curl
          --rss-blob-mib N      the blob rss-1g pushes and pulls with curl through each target (default 1024)
          --flood-connections N concurrent wrong passwords (default 32)
          --flood-seconds S     least flood duration (default 6)
          --rate-limit L        requests per user per window in the rate-limit workload (default 60)
          --access-logs         per-request logs on (nginx access_log, the gateway's audit log); default off on both
        """;

    /// <summary>Parses the command line; throws <see cref="ArgumentException"/> with a message on a bad argument.</summary>
    public static BenchmarkOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var quick = args.Contains("--quick");
        var options = quick
            ? new BenchmarkOptions
            {
                Quick = true,
                Rounds = 1,
                Seconds = 0.4,
                WarmupSeconds = 0.2,
                Targets = QuickTargets,
                ImageMiB = 8,
                RssBlobMiB = 32,
                FloodConnections = 8,
                FleetClients = 4,
                FleetPulls = 5,
                FloodSeconds = 2,
                RateLimit = 20,
            }
            : new BenchmarkOptions();

        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{arg} needs a value.");
            options = arg switch
            {
                "--quick" => options,
                "--help" or "-h" => options with { Help = true },
                "--access-logs" => options with { AccessLogs = true },
                "--rounds" => options with { Rounds = Positive(arg, Int(arg, Value())) },
                "--seconds" => options with { Seconds = Positive(arg, Double(arg, Value())) },
                "--warmup" => options with { WarmupSeconds = Double(arg, Value()) },
                "--out" => options with { OutputPath = Value() },
                "--targets" => options with { Targets = List(arg, Value(), AllTargets) },
                "--workloads" => options with { Workloads = List(arg, Value(), AllWorkloads) },
                "--connections" => options with { Connections = Positive(arg, Int(arg, Value())) },
                "--image-mib" => options with { ImageMiB = Positive(arg, Int(arg, Value())) },
                "--rss-blob-mib" => options with { RssBlobMiB = Positive(arg, Int(arg, Value())) },
                "--fleet-clients" => options with { FleetClients = Positive(arg, Int(arg, Value())) },
                "--fleet-pulls" => options with { FleetPulls = Positive(arg, Int(arg, Value())) },
                "--flood-connections" => options with { FloodConnections = Positive(arg, Int(arg, Value())) },
                "--flood-seconds" => options with { FloodSeconds = Positive(arg, Double(arg, Value())) },
                "--rate-limit" => options with { RateLimit = Positive(arg, Int(arg, Value())) },
                _ => throw new ArgumentException($"Unknown argument '{arg}'."),
            };
        }

        return options;
    }

    /// <summary>The command line that reproduces this run (for the report).</summary>
    public string Describe() =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"--rounds {Rounds} --seconds {Seconds} --warmup {WarmupSeconds} --targets {string.Join(',', Targets)} --workloads {string.Join(',', Workloads)} "
            + $"--connections {Connections} --image-mib {ImageMiB} --rss-blob-mib {RssBlobMiB} --fleet-clients {FleetClients} --fleet-pulls {FleetPulls} --flood-connections {FloodConnections} --flood-seconds {FloodSeconds} --rate-limit {RateLimit}")
        + (AccessLogs ? " --access-logs" : "");

    public bool Has(string target) => Targets.Contains(target);

    public bool Runs(string workload) => Workloads.Contains(workload);

    private static int Int(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : throw new ArgumentException($"{name}: '{value}' is not a whole number.");

    private static double Double(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0
            ? n
            : throw new ArgumentException($"{name}: '{value}' is not a number ≥ 0.");

    private static T Positive<T>(string name, T value)
        where T : System.Numerics.INumber<T> =>
        value > T.Zero ? value : throw new ArgumentException($"{name} must be greater than 0.");

    private static string[] List(string name, string value, IReadOnlyList<string> known)
    {
        var items = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = items.Where(i => !known.Contains(i)).ToList();
        if (unknown.Count > 0 || items.Length == 0)
        {
            throw new ArgumentException($"{name}: unknown {string.Join(", ", unknown)}; known: {string.Join(", ", known)}.");
        }

        // keep the canonical order (the order rounds visit them in)
        return [.. known.Where(items.Contains)];
    }
}

/// <summary>The targets' names, as they appear in the report.</summary>
public static class TargetNames
{
    public const string Direct = "direct";
    public const string NginxTls = "nginx-tls";
    public const string NginxBcrypt5 = "nginx-bcrypt-5";
    public const string NginxBcrypt10 = "nginx-bcrypt-10";
    public const string Gateway1 = "gateway-1";
    public const string Gateway3 = "gateway-3";
    public const string YarpFloor = "yarp-floor";
    public const string Gateway1Cache = "gateway-1-cache";
    public const string Gateway3Cache = "gateway-3-cache";
}
