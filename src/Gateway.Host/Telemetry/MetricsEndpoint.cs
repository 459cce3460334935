using System.Globalization;

namespace Gateway.Host.Telemetry;

/// <summary>
/// Adds the Kestrel endpoint of <see cref="TelemetryOptions.MetricsPort"/> to the configuration, as if it had been
/// configured like the node's other endpoints (<c>Kestrel:Endpoints:GatewayMetrics:Url=http://*:9464</c>), unless
/// an endpoint already listens on that port. Kestrel binds configured endpoints instead of <c>urls</c> (or its
/// default <c>http://localhost:5000</c>), so when the node configured no endpoint of its own, those are added too:
/// the metrics port never takes the node's other address away.
/// </summary>
public static class MetricsEndpoint
{
    /// <summary>The name of the endpoint added for the metrics port.</summary>
    public const string EndpointName = "GatewayMetrics";

    /// <summary>Adds what is missing to <paramref name="configuration"/> (last source, so it only fills gaps).</summary>
    public static void AddTo(ConfigurationManager configuration, TelemetryOptions options)
    {
        if (options.MetricsPort is <= 0 or > 65535)
        {
            return; // 0: on the node's own endpoints; out of range: the validator names the key
        }

        var endpoints = configuration.GetSection("Kestrel:Endpoints").GetChildren().Where(e => !string.IsNullOrWhiteSpace(e["Url"])).ToList();
        if (endpoints.Any(e => PortOf(e["Url"]!) == options.MetricsPort))
        {
            return;
        }

        var added = new Dictionary<string, string?>
        {
            [$"Kestrel:Endpoints:{EndpointName}:Url"] = string.Create(CultureInfo.InvariantCulture, $"http://*:{options.MetricsPort}"),
        };
        if (endpoints.Count == 0)
        {
            var urls = DefaultUrls(configuration);
            for (var i = 0; i < urls.Count; i++)
            {
                added[string.Create(CultureInfo.InvariantCulture, $"Kestrel:Endpoints:Default{i}:Url")] = urls[i];
            }
        }

        configuration.AddInMemoryCollection(added);
    }

    /// <summary>The port of a Kestrel URL (hosts such as <c>*</c> and <c>+</c>, which System.Uri refuses, included); null when it names none.</summary>
    public static int? PortOf(string url)
    {
        var authority = url.Contains("://", StringComparison.Ordinal) ? url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..] : url;
        var slash = authority.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            authority = authority[..slash];
        }

        var colon = authority.LastIndexOf(':');
        return colon >= 0 && colon > authority.LastIndexOf(']')
            && int.TryParse(authority[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port : null;
    }

    /// <summary>What Kestrel would have bound without configured endpoints: <c>urls</c>, else <c>http_ports</c>, else localhost:5000.</summary>
    private static List<string> DefaultUrls(IConfiguration configuration)
    {
        var urls = configuration["urls"];
        if (!string.IsNullOrWhiteSpace(urls))
        {
            return [.. urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        }

        var ports = configuration["http_ports"];
        if (!string.IsNullOrWhiteSpace(ports))
        {
            return [.. ports.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => $"http://*:{p}")];
        }

        return ["http://localhost:5000"];
    }
}
