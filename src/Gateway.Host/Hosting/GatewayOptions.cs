namespace Gateway.Host.Hosting;

/// <summary>The node's role (section <c>Gateway</c>).</summary>
public sealed class GatewayOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Gateway";

    /// <summary><c>all</c> (default), <c>edge</c> or <c>silo</c>.</summary>
    public string Role { get; set; } = "all";

    /// <summary>The parsed role; throws <see cref="ConfigurationException"/> naming the key when it is not one of the three.</summary>
    public GatewayRole ParsedRole => Role.Trim().ToLowerInvariant() switch
    {
        "all" => GatewayRole.All,
        "edge" => GatewayRole.Edge,
        "silo" => GatewayRole.Silo,
        _ => throw new ConfigurationException($"{SectionName}:Role must be 'all', 'edge' or 'silo' (was '{Role}')."),
    };
}
