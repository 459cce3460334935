using System.Net;
using StackExchange.Redis;

namespace Gateway.Host.Cluster;

/// <summary>
/// <c>Gateway:Cluster:Redis</c> read once at start: one server, Sentinels (<c>serviceName=</c>) or Redis Cluster nodes.
/// Problems are returned as messages naming the key (never the password); the options are what every Redis
/// connection of the node is made from.
/// </summary>
public static class RedisConnection
{
    private const string Key = GatewayClusterOptions.SectionName + ":Redis";

    /// <summary>
    /// Parses <paramref name="connectionString"/>; adds a message per problem to <paramref name="failures"/> and
    /// returns null when there is one.
    /// </summary>
    public static ConfigurationOptions? Parse(string connectionString, ICollection<string> failures)
    {
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(connectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or RedisConnectionException)
        {
            failures.Add($"{Key} is not a StackExchange.Redis connection string: {Sanitize(ex.Message)} (e.g. redis:6379, or sentinel-0:26379,sentinel-1:26379,sentinel-2:26379,serviceName=gateway).");
            return null;
        }

        var before = failures.Count;
        var sentinel = options.ServiceName is not null;
        if (sentinel && string.IsNullOrWhiteSpace(options.ServiceName))
        {
            failures.Add($"{Key}: serviceName= must name the primary the Sentinels monitor (their 'sentinel monitor NAME ...').");
        }

        if (options.EndPoints.Count == 0)
        {
            failures.Add(sentinel
                ? $"{Key} names no Sentinel: list them before serviceName= (e.g. sentinel-0:26379,sentinel-1:26379,sentinel-2:26379,serviceName={options.ServiceName})."
                : $"{Key} names no server (e.g. redis:6379).");
        }

        foreach (var endpoint in options.EndPoints)
        {
            var port = endpoint switch
            {
                IPEndPoint ip => ip.Port,
                DnsEndPoint dns => dns.Port,
                _ => 0,
            };

            // A port left out is filled in when connecting (6379, or 26379 for Sentinels); anything else must be a TCP port.
            if (port is < 0 or > 65535)
            {
                failures.Add($"{Key}: '{endpoint}' has no valid TCP port.");
            }
        }

        if (failures.Count > before)
        {
            return null;
        }

        // A node starts even if one server (a Sentinel, a replica) is down at that moment; the commands wait for a
        // connection instead (up to the async timeout, 5 s unless the string sets asyncTimeout=).
        options.AbortOnConnectFail = false;
        return options;
    }

    /// <summary>Whether the options reach Redis through Sentinels.</summary>
    public static bool IsSentinel(ConfigurationOptions options) => !string.IsNullOrEmpty(options.ServiceName);

    /// <summary>The library quotes the bad part of the string in some messages, which may hold a password.</summary>
    private static string Sanitize(string message) =>
        message.Contains("password", StringComparison.OrdinalIgnoreCase) ? "a keyword or value is not supported" : message;
}
