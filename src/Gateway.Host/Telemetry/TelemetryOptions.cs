namespace Gateway.Host.Telemetry;

/// <summary>
/// Where the node serves its metrics (section <c>Gateway:Telemetry</c>). Traces, OTLP metrics and OTLP logs are
/// configured by the standard <c>OTEL_*</c> variables instead (see observability/README.md).
/// </summary>
public sealed class TelemetryOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Gateway:Telemetry";

    /// <summary>Path of the Prometheus scrape endpoint. Default: <c>/metrics</c>.</summary>
    public string MetricsPath { get; set; } = "/metrics";

    /// <summary>
    /// When set, the scrape endpoint answers only on this port (a management endpoint, e.g. <c>9464</c>), which
    /// must be one of the Kestrel endpoints (<c>Kestrel:Endpoints:Management:Url=http://0.0.0.0:9464</c>).
    /// Default: none, the scrape endpoint answers on every endpoint of the node.
    /// </summary>
    public int? MetricsPort { get; set; }
}
