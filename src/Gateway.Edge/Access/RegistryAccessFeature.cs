using Gateway.Registry.Access;

namespace Gateway.Edge.Access;

/// <summary>What the access middleware decided for a request that it let through.</summary>
/// <param name="UserName">The authenticated user.</param>
/// <param name="Route">The parsed registry route.</param>
/// <param name="Scopes">The access the request needs.</param>
public sealed record RegistryAccessFeature(string UserName, RegistryRoute Route, IReadOnlyList<AccessScope> Scopes);
