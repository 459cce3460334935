using System.Globalization;

namespace Gateway.Edge.Access.Identify.Ldap;

/// <summary>One entry of <c>Gateway:Ldap:Servers</c>: <c>ldap://host[:port]</c> or <c>ldaps://host[:port]</c>.</summary>
/// <param name="Host">The host name or address (what the certificate must name).</param>
/// <param name="Port">The port: by default 389 for <c>ldap</c>, 636 for <c>ldaps</c>.</param>
/// <param name="IsLdaps">True for <c>ldaps://</c> (TLS from the first byte).</param>
public sealed record LdapServerAddress(string Host, int Port, bool IsLdaps)
{
    /// <summary>The address as a URL, for logs.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{(IsLdaps ? "ldaps" : "ldap")}://{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port}");

    /// <summary>Parses a server URL; <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(string? text, out LdapServerAddress? address, out string? error)
    {
        address = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text) || !Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri))
        {
            error = $"'{text}' is not a URL such as ldap://ldap.example.com or ldaps://ldap.example.com:636";
            return false;
        }

        var isLdaps = uri.Scheme == "ldaps";
        if (!isLdaps && uri.Scheme != "ldap")
        {
            error = $"'{text}': the scheme must be ldap:// or ldaps://";
            return false;
        }

        if (uri.AbsolutePath is not ("" or "/") || uri.Query.Length > 0 || uri.UserInfo.Length > 0 || uri.Host.Length == 0)
        {
            error = $"'{text}': give only the scheme, host and port (base DN and filters have keys of their own)";
            return false;
        }

        address = new LdapServerAddress(uri.IdnHost.Trim('[', ']'), uri.IsDefaultPort || uri.Port < 0 ? (isLdaps ? 636 : 389) : uri.Port, isLdaps);
        return true;
    }
}
