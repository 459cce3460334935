namespace Gateway.Host.Shutdown;

/// <summary>Graceful shutdown on SIGTERM (section <c>Gateway:Shutdown</c>).</summary>
public sealed class ShutdownOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Gateway:Shutdown";

    /// <summary>
    /// How long the node keeps serving every request after SIGTERM while <c>/healthz/ready</c> answers 503, so a
    /// load balancer takes it out before it stops accepting. Default: 10 seconds.
    /// </summary>
    public TimeSpan DrainDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long in-flight requests (transfers) may run on after the node stops accepting. Default: 60 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);
}
