namespace Gateway.Host.Telemetry;

/// <summary>
/// Where the node serves its metrics (section <c>Gateway:Telemetry</c>). Traces, OTLP metrics and OTLP logs are
/// configured by the standard <c>OTEL_*</c> variables instead (see observability/README.md).
/// </summary>
public sealed class TelemetryOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Gateway:Telemetry";

    /// <summary>The default <see cref="MetricsPort"/>: the OpenTelemetry Prometheus exporter's usual port.</summary>
    public const int DefaultMetricsPort = 9464;

    /// <summary>Path of the Prometheus scrape endpoint. Default: <c>/metrics</c>.</summary>
    public string MetricsPath { get; set; } = "/metrics";

    /// <summary>
    /// The port the scrape endpoint answers on, and only there: a management port apart from the one clients use (as
    /// the registry's debug address and Harbor's exporter are). Default: 9464. When no <c>Kestrel:Endpoints:*:Url</c>
    /// listens on it, an HTTP endpoint on every address is added (<see cref="MetricsEndpoint"/>); to bind it to one
    /// address, configure that endpoint yourself (<c>Kestrel__Endpoints__Metrics__Url=http://10.0.0.5:9464</c>).
    /// <c>0</c>: no port of its own, the scrape endpoint answers on every endpoint of the node.
    /// </summary>
    public int MetricsPort { get; set; } = DefaultMetricsPort;
}
