namespace Gateway.Edge.Admin;

/// <summary>The operators' endpoint (section <c>Gateway:Admin</c>), separate from <c>/v2/</c>.</summary>
public sealed class AdminOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Gateway:Admin";

    /// <summary>
    /// The bearer token operators send (<c>Authorization: Bearer …</c>), at least 24 characters. Unset: the admin
    /// endpoint is not served at all (404). Compared in constant time; never logged.
    /// </summary>
    public string? Token { get; set; }

    /// <summary>The path prefix. Default: <c>/admin</c>.</summary>
    public string PathPrefix { get; set; } = "/admin";

    /// <summary>Never prints the token.</summary>
    public override string ToString() => $"AdminOptions {{ PathPrefix = {PathPrefix}, Token = {(Token is null ? "unset" : "***")} }}";
}
