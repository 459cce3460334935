using Gateway.Edge.Access.Identify;
using Gateway.Registry.Access;

namespace Gateway.Edge.Access;

/// <summary>What the access middleware decided for a request that it let through.</summary>
/// <param name="UserName">The account the request was authorized as (<c>""</c> for anonymous clients).</param>
/// <param name="Route">The parsed registry route.</param>
/// <param name="Scopes">The access the request needs.</param>
public sealed record RegistryAccessFeature(string UserName, RegistryRoute Route, IReadOnlyList<AccessScope> Scopes)
{
    /// <summary>Everything the gate read of the request, as the registry reads it.</summary>
    public RegistryRequest? Request { get; init; }

    /// <summary>The identity the request was authorized as.</summary>
    public Identity? Identity { get; init; }
}
