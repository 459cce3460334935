using Microsoft.Extensions.Options;

namespace Gateway.Host.Telemetry;

/// <summary>Checks <see cref="TelemetryOptions"/>; each message names its key.</summary>
public sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, TelemetryOptions options)
    {
        var failures = new List<string>();
        var path = options.MetricsPath;
        if (string.IsNullOrWhiteSpace(path) || path[0] != '/' || path.Length < 2 || path.Contains('?', StringComparison.Ordinal) || path.Contains('#', StringComparison.Ordinal)
            || path.StartsWith("/v2", StringComparison.OrdinalIgnoreCase) || path.StartsWith("/healthz", StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"{TelemetryOptions.SectionName}:MetricsPath must be a path such as /metrics, outside /v2 and /healthz (was '{path}').");
        }

        if (options.MetricsPort is < 0 or > 65535)
        {
            failures.Add($"{TelemetryOptions.SectionName}:MetricsPort must be a port from 1 to 65535, or 0 to serve the scrape on the node's own endpoints (was {options.MetricsPort}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
