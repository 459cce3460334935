namespace Gateway.Edge.Health;

/// <summary>
/// How an edge's readiness follows its dependencies (section <c>Gateway:Health</c>). A background check asks the
/// cluster (one grain call) and the registry (<c>GET /v2/</c>) every <see cref="CheckInterval"/>; <c>/healthz/ready</c>
/// answers from the last results, without a call of its own, so a probe never waits on a dependency.
/// </summary>
public sealed class HealthOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Gateway:Health";

    /// <summary>How often the dependencies are checked. Default: 2 seconds.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long one check may take before it counts as failed. Default: 2 seconds.</summary>
    public TimeSpan CheckTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a dependency may go without a successful check before the edge stops being ready. Default: 10
    /// seconds: one slow or failing check (a silo failing over takes a few seconds) does not take an edge, or every
    /// edge at once, out of rotation; an edge that really lost its cluster or every registry replica leaves it.
    /// </summary>
    public TimeSpan UnreadyAfter { get; set; } = TimeSpan.FromSeconds(10);
}
