using Gateway.Benchmarks.Harness;
using Gateway.Benchmarks.Targets;
using Gateway.Benchmarks.Workloads;

namespace Gateway.Benchmarks.Report;

/// <summary>A target as the report describes it (the processes are gone by then).</summary>
public sealed record TargetInfo(string Name, string Description, bool HasProxy, bool Authenticates, bool IsGateway)
{
    /// <summary>CPU its processes use when nothing is sent, in cores.</summary>
    public double IdleProxyCores { get; set; }

    public static TargetInfo Of(Target target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return new(target.Name, target.Description, target.ProxyProcesses.Count > 0, target.Authenticates, target.IsGateway);
    }
}

/// <summary>Everything one run measured, for the report.</summary>
public sealed class BenchmarkResults
{
    public required BenchmarkOptions Options { get; init; }

    public required MachineInfo Machine { get; init; }

    public required DateTimeOffset Started { get; init; }

    public TimeSpan Elapsed { get; set; }

    public string LoadAverageAtEnd { get; set; } = "";

    public List<TargetInfo> Targets { get; } = [];

    public List<SmallWorkload> SmallWorkloads { get; } = [];

    public List<SmallResult> Small { get; } = [];

    public List<PushPullResult> PushPull { get; } = [];

    /// <summary>push-pull-curl: curl over HTTP/1.1, every target, every round.</summary>
    public List<CurlTransferResult> PushPullCurl { get; } = [];

    /// <summary>rss-1g: one large blob through each target with proxy processes.</summary>
    public List<CurlTransferResult> RssBlob { get; } = [];

    public List<FleetPullResult> FleetPull { get; } = [];

    public List<FloodResult> Flood { get; } = [];

    public List<RateLimitResult> RateLimit { get; } = [];

    public List<TokenResult> Tokens { get; } = [];

    public List<BcryptCost> Bcrypt { get; } = [];

    public List<TokenCopyResult> TokenCopy { get; } = [];

    /// <summary>Why a workload was not measured, by workload key (e.g. tokens → "not measured: …").</summary>
    public Dictionary<string, string> NotMeasured { get; } = [];

    /// <summary>A failure that ended the run early, if any.</summary>
    public string? Failure { get; set; }
}
