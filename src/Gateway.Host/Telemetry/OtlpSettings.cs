using Gateway.Host.Hosting;

namespace Gateway.Host.Telemetry;

/// <summary>
/// Which signals go out over OTLP, read from the standard variables (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c> for all,
/// or <c>OTEL_EXPORTER_OTLP_{TRACES,METRICS,LOGS}_ENDPOINT</c> for one). No endpoint: no exporter, and no tracing.
/// The exporters read the rest themselves (protocol, headers, timeouts, <c>OTEL_BSP_*</c>, <c>OTEL_METRIC_EXPORT_INTERVAL</c>).
/// </summary>
/// <param name="Traces">Export traces.</param>
/// <param name="Metrics">Export metrics.</param>
/// <param name="Logs">Export logs.</param>
public sealed record OtlpSettings(bool Traces, bool Metrics, bool Logs)
{
    /// <summary>The endpoint of every signal.</summary>
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The protocol of every signal.</summary>
    public const string ProtocolVariable = "OTEL_EXPORTER_OTLP_PROTOCOL";

    /// <summary>Reads and checks the variables; a bad value throws <see cref="ConfigurationException"/> naming it.</summary>
    public static OtlpSettings From(IConfiguration configuration)
    {
        var all = Endpoint(configuration, EndpointVariable);
        var traces = Endpoint(configuration, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
        var metrics = Endpoint(configuration, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT");
        var logs = Endpoint(configuration, "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT");
        foreach (var name in new[] { ProtocolVariable, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL" })
        {
            var protocol = configuration[name];
            if (!string.IsNullOrWhiteSpace(protocol) && protocol.Trim() is not ("grpc" or "http/protobuf"))
            {
                throw new ConfigurationException($"{name} must be 'grpc' or 'http/protobuf' (was '{protocol}').");
            }
        }

        return new(all || traces, all || metrics, all || logs);
    }

    private static bool Endpoint(IConfiguration configuration, string name)
    {
        var value = configuration[name];
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new ConfigurationException($"{name} must be an absolute http:// or https:// URL, e.g. http://jaeger:4318 (was '{value}').");
        }

        return true;
    }
}
