using Gateway.Registry.Configuration;
using Gateway.Host.Hosting;
using OpenTelemetry.Exporter;

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
    private IConfiguration? _configuration;

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

        return new(all || traces, all || metrics, all || logs) { _configuration = configuration };
    }

    /// <summary>
    /// Applies the signal's own variables (<c>OTEL_EXPORTER_OTLP_{signal}_ENDPOINT</c>, used as the full URL, and
    /// <c>…_PROTOCOL</c>), which the exporter reads only for the shared endpoint. <paramref name="signal"/>: TRACES, METRICS or LOGS.
    /// </summary>
    public void Configure(OtlpExporterOptions exporter, string signal)
    {
        var protocol = _configuration?[$"OTEL_EXPORTER_OTLP_{signal}_PROTOCOL"];
        if (!string.IsNullOrWhiteSpace(protocol))
        {
            exporter.Protocol = protocol.Trim() == "grpc" ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
        }

        var endpoint = _configuration?[$"OTEL_EXPORTER_OTLP_{signal}_ENDPOINT"];
        if (!string.IsNullOrWhiteSpace(endpoint))
        {
            exporter.Endpoint = new Uri(endpoint.Trim(), UriKind.Absolute);
        }
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
