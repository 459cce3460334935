namespace Gateway.Registry.Access;

/// <summary>
/// The scopes a request needs, as registry 2.8.2 demands them (<c>app.go</c>, <c>appendAccessRecords</c>):
/// GET/HEAD need pull; POST/PUT/PATCH need pull and push; DELETE (an upload cancel included) needs delete;
/// a mount source needs pull; the catalog needs <c>registry:catalog:*</c>; <c>/v2/</c> needs nothing.
/// </summary>
public static class AccessRequestMapper
{
    // Shared by every request, so read-only wrappers: a caller cannot cast them back and change them.
    private static readonly IReadOnlyList<string> PullActions = Array.AsReadOnly([RegistryActions.Pull]);
    private static readonly IReadOnlyList<string> PullPushActions = Array.AsReadOnly([RegistryActions.Pull, RegistryActions.Push]);
    private static readonly IReadOnlyList<string> DeleteActions = Array.AsReadOnly([RegistryActions.Delete]);
    private static readonly IReadOnlyList<string> DeletePullActions = Array.AsReadOnly([RegistryActions.Delete, RegistryActions.Pull]);

    private static readonly IReadOnlyList<AccessScope> CatalogScopes =
        Array.AsReadOnly([new AccessScope(RegistryResource.Catalog, Array.AsReadOnly([RegistryActions.All]))]);

    /// <summary>
    /// Maps a parsed request to the scopes a credential must grant.
    /// </summary>
    /// <param name="method">The HTTP method, compared case-sensitively as the registry does.</param>
    /// <param name="route">A route from <see cref="RegistryRouteParser.TryParse"/> that returned <see cref="RouteParseStatus.Ok"/>.</param>
    /// <param name="mountFrom">
    /// The <c>from</c> value of a cross-repository mount; null or empty when there is none. The registry honours it
    /// on any repository route, so callers pass it whenever the request carries it. Ignored on <c>/v2/</c> and the catalog.
    /// </param>
    /// <param name="scopes">The scopes needed, empty for <c>/v2/</c>; the lists and catalog scope are shared instances.</param>
    /// <returns>
    /// False, with no scopes, when the request cannot be authorised: a method other than GET, HEAD, POST, PUT, PATCH
    /// or DELETE (answer 405 <c>UNSUPPORTED</c>), a route that is not a parsed one, or a <paramref name="mountFrom"/>
    /// that is not a repository name (check <see cref="IsValidMountSource"/> first to answer that one precisely).
    /// </returns>
    public static bool TryMap(string method, in RegistryRoute route, string? mountFrom, out IReadOnlyList<AccessScope> scopes)
    {
        ArgumentNullException.ThrowIfNull(method);
        scopes = Array.Empty<AccessScope>();
        var actions = ActionsFor(method);
        if (actions is null)
        {
            return false;
        }

        switch (route.Kind)
        {
            case RegistryRouteKind.Base:
                return true;
            case RegistryRouteKind.Catalog:
                scopes = CatalogScopes;
                return true;
            case RegistryRouteKind.TagsList:
            case RegistryRouteKind.Manifest:
            case RegistryRouteKind.Blob:
            case RegistryRouteKind.BlobUploadStart:
            case RegistryRouteKind.BlobUpload:
            case RegistryRouteKind.Referrers:
                break;
            default:
                return false;
        }

        var repository = route.Repository;
        if (repository is null || !RepositoryName.IsValid(repository))
        {
            return false;
        }

        if (string.IsNullOrEmpty(mountFrom))
        {
            scopes = [new AccessScope(RegistryResource.Repository(repository), actions)];
            return true;
        }

        if (!IsValidMountSource(mountFrom))
        {
            return false;
        }

        if (string.Equals(mountFrom, repository, StringComparison.Ordinal))
        {
            // One resource, as the registry's challenge merges it: pull is already there except for DELETE.
            var merged = ReferenceEquals(actions, DeleteActions) ? DeletePullActions : actions;
            scopes = [new AccessScope(RegistryResource.Repository(repository), merged)];
            return true;
        }

        scopes =
        [
            new AccessScope(RegistryResource.Repository(repository), actions),
            new AccessScope(RegistryResource.Repository(mountFrom), PullActions),
        ];
        return true;
    }

    /// <summary>True when <paramref name="mountFrom"/>, a mount's <c>from</c> value, is a valid repository name.</summary>
    public static bool IsValidMountSource(string? mountFrom) => mountFrom is not null && RepositoryName.IsValid(mountFrom);

    private static IReadOnlyList<string>? ActionsFor(string method) => method switch
    {
        "GET" or "HEAD" => PullActions,
        "POST" or "PUT" or "PATCH" => PullPushActions,
        "DELETE" => DeleteActions,
        _ => null,
    };
}
