namespace Gateway.Registry.Access;

/// <summary>The resource types of the token scope grammar (<c>scope.md</c>).</summary>
public static class ResourceTypes
{
    /// <summary>A single repository within the registry.</summary>
    public const string Repository = "repository";

    /// <summary>The entire registry; used for <c>registry:catalog:*</c>.</summary>
    public const string Registry = "registry";
}
