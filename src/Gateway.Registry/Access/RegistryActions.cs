namespace Gateway.Registry.Access;

/// <summary>The action names the registry demands in token scopes (<c>scope.md</c>, 2.8.2 <c>app.go</c>).</summary>
public static class RegistryActions
{
    /// <summary>Read a repository: manifests, blobs, tags, upload status.</summary>
    public const string Pull = "pull";

    /// <summary>Write to a repository: uploads and manifest puts (always demanded together with <see cref="Pull"/>).</summary>
    public const string Push = "push";

    /// <summary>Delete manifests or blobs, and cancel uploads.</summary>
    public const string Delete = "delete";

    /// <summary>Every action; the catalog demands exactly this.</summary>
    public const string All = "*";
}
