using Gateway.Registry.Access;

namespace Gateway.Edge.Telemetry;

/// <summary>
/// The route classes metrics are labelled with: a handful of fixed values, never a repository or a digest.
/// </summary>
public static class RouteClasses
{
    /// <summary><c>/v2/</c>.</summary>
    public const string Base = "base";

    /// <summary><c>/v2/_catalog</c>.</summary>
    public const string Catalog = "catalog";

    /// <summary><c>/v2/&lt;name&gt;/tags/list</c>.</summary>
    public const string Tags = "tags";

    /// <summary><c>/v2/&lt;name&gt;/manifests/&lt;reference&gt;</c>.</summary>
    public const string Manifest = "manifest";

    /// <summary><c>/v2/&lt;name&gt;/blobs/&lt;digest&gt;</c>.</summary>
    public const string Blob = "blob";

    /// <summary><c>/v2/&lt;name&gt;/blobs/uploads/…</c> (start, chunks, completion).</summary>
    public const string Upload = "upload";

    /// <summary><c>/v2/&lt;name&gt;/referrers/&lt;digest&gt;</c>.</summary>
    public const string Referrers = "referrers";

    /// <summary>A path that is not a registry route (answered by the gateway with an error).</summary>
    public const string Other = "other";

    /// <summary>Every value, for documentation and tests.</summary>
    public static IReadOnlyList<string> All { get; } = [Base, Catalog, Tags, Manifest, Blob, Upload, Referrers, Other];

    /// <summary>The class of a parsed route.</summary>
    public static string Of(RegistryRouteKind kind) => kind switch
    {
        RegistryRouteKind.Base => Base,
        RegistryRouteKind.Catalog => Catalog,
        RegistryRouteKind.TagsList => Tags,
        RegistryRouteKind.Manifest => Manifest,
        RegistryRouteKind.Blob => Blob,
        RegistryRouteKind.BlobUploadStart or RegistryRouteKind.BlobUpload => Upload,
        RegistryRouteKind.Referrers => Referrers,
        _ => Other,
    };

    /// <summary>The class of a raw request path (without the query).</summary>
    public static string Of(string rawPath) =>
        RegistryRouteParser.TryParse(rawPath, out var route) == RouteParseStatus.Ok ? Of(route.Kind) : Other;

    /// <summary>The method as a metric label: one of the registry's methods, or <c>_OTHER</c>.</summary>
    public static string Method(string method) => method switch
    {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "PUT" => "PUT",
        "POST" => "POST",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        _ => "_OTHER",
    };
}
