namespace Gateway.Registry.Access;

/// <summary>A recognised registry API v2 route.</summary>
/// <param name="Kind">Which route.</param>
/// <param name="Repository">The repository name; <see langword="null"/> for <see cref="RegistryRouteKind.Base"/> and <see cref="RegistryRouteKind.Catalog"/>.</param>
/// <param name="Reference">
/// The tag or digest for <see cref="RegistryRouteKind.Manifest"/>, the digest for <see cref="RegistryRouteKind.Blob"/>
/// and <see cref="RegistryRouteKind.Referrers"/>, the upload id for <see cref="RegistryRouteKind.BlobUpload"/>;
/// otherwise <see langword="null"/>.
/// </param>
public readonly record struct RegistryRoute(RegistryRouteKind Kind, string? Repository, string? Reference);
