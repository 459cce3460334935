using System.Net;
using System.Net.Sockets;

namespace Gateway.Registry.Policies;

/// <summary>The key an address is counted under: IPv4 as is, IPv6 by its /64 (one subscriber's network).</summary>
public static class ClientAddressKey
{
    /// <summary>The key for an address text; the text itself when it does not parse.</summary>
    public static string For(string address)
    {
        if (!IPAddress.TryParse(address, out var ip))
        {
            return address;
        }

        if (ip.IsIPv4MappedToIPv6)
        {
            ip = ip.MapToIPv4();
        }

        if (ip.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return ip.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        ip.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }
}
