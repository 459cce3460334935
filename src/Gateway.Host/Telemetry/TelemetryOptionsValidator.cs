using Microsoft.Extensions.Options;

namespace Gateway.Host.Telemetry;

/// <summary>Checks <see cref="TelemetryOptions"/> against the configuration; each message names its key.</summary>
public sealed class TelemetryOptionsValidator(IConfiguration configuration) : IValidateOptions<TelemetryOptions>
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

        if (options.MetricsPort is { } port)
        {
            if (port is < 1 or > 65535)
            {
                failures.Add($"{TelemetryOptions.SectionName}:MetricsPort must be between 1 and 65535 (was {port}).");
            }
            else if (!KestrelListensOn(configuration, port))
            {
                failures.Add($"{TelemetryOptions.SectionName}:MetricsPort is {port}, but no Kestrel:Endpoints:<name>:Url listens on that port; add one, e.g. Kestrel__Endpoints__Management__Url=http://0.0.0.0:{port}.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool KestrelListensOn(IConfiguration configuration, int port)
    {
        foreach (var endpoint in configuration.GetSection("Kestrel:Endpoints").GetChildren())
        {
            var url = endpoint["Url"];
            if (url is null)
            {
                continue;
            }

            // Kestrel accepts hosts such as '*' and '+' that System.Uri does not: compare the port after the last ':'.
            var authority = url.Contains("://", StringComparison.Ordinal) ? url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..] : url;
            var slash = authority.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0)
            {
                authority = authority[..slash];
            }

            var colon = authority.LastIndexOf(':');
            if (colon >= 0 && int.TryParse(authority[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var listening) && listening == port)
            {
                return true;
            }
        }

        return false;
    }
}
