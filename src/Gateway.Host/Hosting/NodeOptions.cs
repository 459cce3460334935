namespace Gateway.Host.Hosting;

/// <summary>What this process runs (section <c>Gateway</c>, key <c>Role</c>). Named apart from Orleans' own <c>GatewayOptions</c>.</summary>
public sealed class NodeOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Gateway";

    /// <summary><c>all</c> (default: edge and silo in one process), <c>edge</c> or <c>silo</c>.</summary>
    public string Role { get; set; } = "all";

    /// <summary>The role, or null when <see cref="Role"/> is not one of the three (<see cref="NodeOptionsValidator"/> reports it).</summary>
    public GatewayRole? ParsedRole => Role.Trim().ToLowerInvariant() switch
    {
        "all" => GatewayRole.All,
        "edge" => GatewayRole.Edge,
        "silo" => GatewayRole.Silo,
        _ => null,
    };
}
