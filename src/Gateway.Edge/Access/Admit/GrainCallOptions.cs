namespace Gateway.Edge.Access.Admit;

/// <summary>
/// How long a request may wait for its grain decision, all attempts together (section <c>Gateway:Cluster</c>, the key
/// <c>ResponseTimeout</c>, validated with the rest of that section by the host). Past it the request is answered
/// 503 <c>UNAVAILABLE</c>: a cluster that cannot decide (Redis down, a silo dying) never holds a client longer.
/// </summary>
public sealed class GrainCallOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Gateway:Cluster";

    /// <summary>The bound for one request's grain calls, retries included. Default: 10 seconds, Orleans' own response timeout.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
