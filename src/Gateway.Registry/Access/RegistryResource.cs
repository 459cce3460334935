namespace Gateway.Registry.Access;

/// <summary>A resource of the token scope grammar: a type (optionally with a class) and a name.</summary>
/// <param name="Type">
/// The resource type as written, e.g. <c>repository</c>, <c>registry</c>, or the deprecated class form
/// <c>repository(plugin)</c>. Compared ordinally, so <c>repository(plugin)</c> is not <c>repository</c>,
/// as in the registry's own access check.
/// </param>
/// <param name="Name">The resource name, e.g. <c>library/alpine</c> or <c>catalog</c>.</param>
public sealed record RegistryResource(string Type, string Name)
{
    /// <summary>The resource the registry guards <c>/v2/_catalog</c> with: <c>registry:catalog</c>.</summary>
    public static RegistryResource Catalog { get; } = new(ResourceTypes.Registry, "catalog");

    /// <summary>The resource type as written.</summary>
    public string Type { get; init; } = Type ?? throw new ArgumentNullException(nameof(Type));

    /// <summary>The resource name.</summary>
    public string Name { get; init; } = Name ?? throw new ArgumentNullException(nameof(Name));

    /// <summary>The type without its <c>(class)</c> suffix: <c>repository</c> for <c>repository(plugin)</c>.</summary>
    public string BaseType
    {
        get
        {
            var open = Type.IndexOf('(', StringComparison.Ordinal);
            return open < 0 ? Type : Type[..open];
        }
    }

    /// <summary>A <c>repository</c> resource.</summary>
    /// <param name="name">The repository name; not validated here.</param>
    public static RegistryResource Repository(string name) => new(ResourceTypes.Repository, name);

    /// <summary>Formats the resource as <c>type:name</c>.</summary>
    public override string ToString() => string.Concat(Type, ":", Name);
}
