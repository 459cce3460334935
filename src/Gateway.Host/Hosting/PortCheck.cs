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
