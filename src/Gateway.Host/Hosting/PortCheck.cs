using Gateway.Registry.Configuration;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Host.Hosting;

/// <summary>
/// Checks before start that the ports a node is configured to listen on are free. .NET sets SO_REUSEPORT with
/// SO_REUSEADDR on Linux, so a second node on the same silo or gateway port would otherwise start cleanly and share
/// the port with the first; a probe bound without those options fails when anything listens there.
/// </summary>
public static class PortCheck
{
    /// <summary>Throws <see cref="ConfigurationException"/> naming <paramref name="key"/> when the port is taken.</summary>
    public static void EnsureFree(IPAddress address, int port, string key)
    {
        using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            probe.Bind(new IPEndPoint(address, port));
            probe.Listen(1);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new ConfigurationException($"{key}: port {port} on {address} is already in use (another node or program listens there); set {key} to a free port.");
        }
    }

    /// <summary>
    /// Checks every Kestrel endpoint URL in <c>Kestrel:Endpoints:*:Url</c> and the metrics port: a taken one stops the
    /// start before anything else starts (Kestrel's own failure comes after the silo has begun joining its cluster).
    /// </summary>
    public static void EnsureEndpointsFree(IConfiguration configuration)
    {
        foreach (var endpoint in configuration.GetSection("Kestrel:Endpoints").GetChildren())
        {
            var url = endpoint["Url"];
            if (url is null || !Uri.TryCreate(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri) || uri.Port <= 0)
            {
                continue;
            }

            var address = uri.Host == "localhost" ? IPAddress.Loopback : IPAddress.TryParse(uri.Host, out var parsed) ? parsed : null;
            if (address is not null)
            {
                EnsureFree(address, uri.Port, $"Kestrel:Endpoints:{endpoint.Key}:Url");
            }
        }
    }

    /// <summary>
    /// The configuration key of the Kestrel endpoint whose URL names <paramref name="port"/>, for an address-in-use
    /// failure at start; <c>Kestrel:Endpoints</c> when none does (URLs given with <c>--urls</c> or <c>ASPNETCORE_URLS</c>).
    /// </summary>
    public static string EndpointKeyFor(IConfiguration configuration, int port)
    {
        foreach (var endpoint in configuration.GetSection("Kestrel:Endpoints").GetChildren())
        {
            if (Uri.TryCreate(endpoint["Url"]?.Replace("*", "localhost", StringComparison.Ordinal).Replace("+", "localhost", StringComparison.Ordinal), UriKind.Absolute, out var url) && url.Port == port)
            {
                return $"Kestrel:Endpoints:{endpoint.Key}:Url";
            }
        }

        return configuration["Gateway:Telemetry:MetricsPort"] == port.ToString(System.Globalization.CultureInfo.InvariantCulture)
            ? "Gateway:Telemetry:MetricsPort"
            : "Kestrel:Endpoints";
    }
}
