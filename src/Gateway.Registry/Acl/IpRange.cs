using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Registry.Acl;

/// <summary>
/// An ACL <c>ip</c> value as docker_auth reads it: one address (IPv4 dotted decimal or IPv6) or a CIDR network
/// (<c>192.168.0.0/16</c>, <c>2001:db8::/48</c>; host bits are ignored, as Go's <c>ParseCIDR</c> ignores them).
/// IPv4-mapped IPv6 addresses count as IPv4, on both sides.
/// </summary>
internal sealed class IpRange
{
    private readonly byte[] _network;
    private readonly int _prefixLength;
    private readonly AddressFamily _family;

    private IpRange(byte[] network, int prefixLength, AddressFamily family)
    {
        _network = network;
        _prefixLength = prefixLength;
        _family = family;
    }

    /// <summary>Parses an address or a CIDR network; false for anything else (ranges, wildcards, zones, host names).</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out IpRange? range)
    {
        range = null;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        if (!TryParseAddress(addressText, out var address))
        {
            return false;
        }

        var bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = bits;
        if (slash >= 0)
        {
            var prefixText = text.AsSpan(slash + 1);
            if (prefixText.IsEmpty || prefixText.Length > 3 || prefixText.ContainsAnyExceptInRange('0', '9')
                || !int.TryParse(prefixText, out prefix) || prefix > bits)
            {
                return false;
            }
        }

        if (address.IsIPv4MappedToIPv6 && prefix >= 96)
        {
            address = address.MapToIPv4();
            prefix -= 96;
        }

        range = new IpRange(address.GetAddressBytes(), prefix, address.AddressFamily);
        return true;
    }

    /// <summary>True when <paramref name="address"/> lies in the range.</summary>
    public bool Contains(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != _family)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var written) || written != _network.Length)
        {
            return false;
        }

        var full = _prefixLength / 8;
        if (!bytes[..full].SequenceEqual(_network.AsSpan(0, full)))
        {
            return false;
        }

        var remaining = _prefixLength % 8;
        if (remaining == 0)
        {
            return true;
        }

        var mask = (byte)(0xFF << (8 - remaining));
        return (bytes[full] & mask) == (_network[full] & mask);
    }

    /// <summary>Go's <c>ParseIP</c>: dotted decimal IPv4 (four parts, 0-255, no leading zeros) or IPv6 without a zone.</summary>
    private static bool TryParseAddress(string text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (text.Length == 0 || text.Contains('%', StringComparison.Ordinal))
        {
            return false;
        }

        if (text.Contains(':', StringComparison.Ordinal))
        {
            return IPAddress.TryParse(text, out address) && address.AddressFamily == AddressFamily.InterNetworkV6;
        }

        var parts = 0;
        foreach (var range in text.AsSpan().Split('.'))
        {
            var part = text.AsSpan()[range];
            parts++;
            if (part.IsEmpty || part.Length > 3 || part.ContainsAnyExceptInRange('0', '9')
                || (part.Length > 1 && part[0] == '0') || int.Parse(part) > 255)
            {
                return false;
            }
        }

        return parts == 4 && IPAddress.TryParse(text, out address);
    }
}
