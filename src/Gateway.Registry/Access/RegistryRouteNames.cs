namespace Gateway.Registry.Access;

/// <summary>
/// The names registry 2.8.2 gives its routes (<c>registry/api/v2/routes.go</c>), for audit events and traces, so
/// a gateway log line and a registry log line name a request's route alike.
/// </summary>
public static class RegistryRouteNames
{
    /// <summary>The registry's name of a route kind; <c>-</c> for none.</summary>
    public static string Of(RegistryRouteKind kind) => kind switch
    {
        RegistryRouteKind.Base => "base",
        RegistryRouteKind.Catalog => "catalog",
        RegistryRouteKind.TagsList => "tags",
        RegistryRouteKind.Manifest => "manifest",
        RegistryRouteKind.Blob => "blob",
        RegistryRouteKind.BlobUploadStart => "blob-upload",
        RegistryRouteKind.BlobUpload => "blob-upload-chunk",
        RegistryRouteKind.Referrers => "referrers",
        _ => "-",
    };
}
