using Gateway.Registry.Configuration;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Gateway.Host.Hosting;

namespace Gateway.Host.Cluster;

/// <summary>Validated cluster settings, resolved before the host is built (Orleans needs them to be configured).</summary>
/// <param name="Provider">The clustering provider.</param>
/// <param name="Options">The bound options.</param>
/// <param name="AdvertisedAddress">The parsed address to bind and advertise.</param>
/// <param name="Secret">The fingerprint key.</param>
public sealed record ClusterSettings(ClusterProvider Provider, GatewayClusterOptions Options, IPAddress AdvertisedAddress, byte[] Secret)
{
    /// <summary>The parsed <c>Gateway:Cluster:Redis</c> (null with the localhost provider).</summary>
    public StackExchange.Redis.ConfigurationOptions? Redis { get; private init; }

    /// <summary>Binds and validates <c>Gateway:Cluster</c>; throws <see cref="ConfigurationException"/> listing every bad key.</summary>
    public static ClusterSettings From(IConfiguration configuration)
    {
        var options = new GatewayClusterOptions();
        configuration.GetSection(GatewayClusterOptions.SectionName).Bind(options);
        var prefix = GatewayClusterOptions.SectionName;
        var failures = new List<string>();

        if (string.IsNullOrEmpty(options.Secret) && !string.IsNullOrEmpty(options.SecretFile))
        {
            try
            {
                options.Secret = File.ReadAllText(options.SecretFile).Trim();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                failures.Add($"{prefix}:SecretFile: cannot read '{options.SecretFile}': {ex.GetType().Name}.");
            }
        }

        ClusterProvider? provider = options.Provider.Trim().ToLowerInvariant() switch
        {
            "localhost" => ClusterProvider.Localhost,
            "redis" => ClusterProvider.Redis,
            _ => null,
        };
        if (provider is null)
        {
            failures.Add($"{prefix}:Provider must be 'localhost' or 'redis' (was '{options.Provider}').");
        }

        if (provider == ClusterProvider.Redis && string.IsNullOrWhiteSpace(options.Redis))
        {
            failures.Add($"{prefix}:Redis is required with the redis provider (e.g. 127.0.0.1:6379).");
        }

        var redis = provider == ClusterProvider.Redis && !string.IsNullOrWhiteSpace(options.Redis) ? RedisConnection.Parse(options.Redis, failures) : null;
        if (options.ReplicationWait < TimeSpan.Zero || options.ReplicationWait > TimeSpan.FromSeconds(5))
        {
            failures.Add($"{prefix}:ReplicationWait must be between 00:00:00 (off) and 00:00:05 (was {options.ReplicationWait}).");
        }

        if (provider == ClusterProvider.Redis && string.IsNullOrEmpty(options.Secret))
        {
            failures.Add($"{prefix}:Secret is required with the redis provider: every node must share it (at least 16 characters).");
        }

        if (!string.IsNullOrEmpty(options.Secret) && options.Secret.Length < 16)
        {
            failures.Add($"{prefix}:Secret must be at least 16 characters.");
        }

        if (string.IsNullOrWhiteSpace(options.ClusterId))
        {
            failures.Add($"{prefix}:ClusterId must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(options.ServiceId))
        {
            failures.Add($"{prefix}:ServiceId must not be empty.");
        }

        if (options.SiloPort is < 1 or > 65535)
        {
            failures.Add($"{prefix}:SiloPort must be a TCP port (was {options.SiloPort}).");
        }

        if (options.GatewayPort is < 1 or > 65535 || options.GatewayPort == options.SiloPort)
        {
            failures.Add($"{prefix}:GatewayPort must be a TCP port other than SiloPort (was {options.GatewayPort}).");
        }

        var address = string.Equals(options.AdvertisedAddress, "auto", StringComparison.OrdinalIgnoreCase)
            ? FirstNonLoopbackAddress()
            : IPAddress.TryParse(options.AdvertisedAddress, out var parsed) ? parsed : null;
        if (address is null || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            failures.Add($"{prefix}:AdvertisedAddress must be a concrete IP address (was '{options.AdvertisedAddress}'), or 'auto' for the machine's first non-loopback IPv4 address.");
        }

        if (options.ResponseTimeout < TimeSpan.FromMilliseconds(500) || options.ResponseTimeout > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{prefix}:ResponseTimeout must be between 00:00:00.5 and 00:05:00 (was {options.ResponseTimeout}).");
        }

        if (options.ProbePeriod < TimeSpan.FromMilliseconds(200) || options.ProbePeriod > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{prefix}:ProbePeriod must be between 00:00:00.2 and 00:01:00 (was {options.ProbePeriod}).");
        }

        if (failures.Count > 0)
        {
            throw new ConfigurationException(string.Join(Environment.NewLine, failures));
        }

        var secret = string.IsNullOrEmpty(options.Secret) ? RandomNumberGenerator.GetBytes(32) : Encoding.UTF8.GetBytes(options.Secret);
        return new ClusterSettings(provider!.Value, options, address!, secret) { Redis = redis };
    }

    /// <summary>Never prints the secret.</summary>
    public override string ToString() => Options.ToString();

    private static IPAddress? FirstNonLoopbackAddress() => System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
        .Where(n => n.OperationalStatus == System.Net.NetworkInformation.OperationalStatus.Up)
        .SelectMany(n => n.GetIPProperties().UnicastAddresses)
        .Select(a => a.Address)
        .FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
}
