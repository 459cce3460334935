using Gateway.Benchmarks.Load;

namespace Gateway.Benchmarks.Workloads;

/// <summary>
/// One push and pull of a fresh random blob with curl over HTTP/1.1 through one target: times, the proxy's CPU per
/// phase (net of its idle use) and its processes' resident memory over the whole transfer.
/// </summary>
/// <param name="Target">The target's name.</param>
/// <param name="Round">The round (1-based).</param>
/// <param name="MiB">The blob's size.</param>
public sealed record CurlTransferResult(string Target, int Round, double MiB)
{
    /// <summary>Monolithic push: <c>POST</c> of an upload, then <c>PUT ?digest=</c> with the whole blob (Content-Length).</summary>
    public TimeSpan? Push { get; init; }

    /// <summary>Chunked push, as docker sends a layer: <c>POST</c>, <c>PATCH</c> of the whole blob with <c>Transfer-Encoding: chunked</c>, <c>PUT ?digest=</c>; null when not measured.</summary>
    public TimeSpan? PatchPush { get; init; }

    /// <summary><c>GET</c> of the blob pushed monolithically, to a file, its digest checked afterwards.</summary>
    public TimeSpan? Pull { get; init; }

    public double? PushProxyCpuSeconds { get; init; }

    public double? PatchPushProxyCpuSeconds { get; init; }

    public double? PullProxyCpuSeconds { get; init; }

    /// <summary>VmRSS of the proxy processes from before the first push to after the pull.</summary>
    public RssPeaks? Rss { get; init; }

    public string? Error { get; init; }

    public double? PushMiBPerSecond => Rate(Push);

    public double? PatchPushMiBPerSecond => Rate(PatchPush);

    public double? PullMiBPerSecond => Rate(Pull);

    private double? Rate(TimeSpan? time) => time is { } t && t > TimeSpan.Zero ? MiB / t.TotalSeconds : null;
}
