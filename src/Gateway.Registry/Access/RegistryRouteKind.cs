namespace Gateway.Registry.Access;

/// <summary>
/// The registry API v2 routes the gateway recognises. The values start at 1 so that
/// <c>default(RegistryRouteKind)</c> is not a route: an unset route never maps to the
/// scope-free <see cref="Base"/>.
/// </summary>
public enum RegistryRouteKind
{
    /// <summary><c>/v2/</c>: the API version check; needs a valid credential and no scope.</summary>
    Base = 1,

    /// <summary><c>/v2/_catalog</c>.</summary>
    Catalog,

    /// <summary><c>/v2/&lt;name&gt;/tags/list</c>.</summary>
    TagsList,

    /// <summary><c>/v2/&lt;name&gt;/manifests/&lt;tag or digest&gt;</c>.</summary>
    Manifest,

    /// <summary><c>/v2/&lt;name&gt;/blobs/&lt;digest&gt;</c>.</summary>
    Blob,

    /// <summary><c>/v2/&lt;name&gt;/blobs/uploads/</c> (with or without the trailing slash).</summary>
    BlobUploadStart,

    /// <summary><c>/v2/&lt;name&gt;/blobs/uploads/&lt;uuid&gt;</c>.</summary>
    BlobUpload,

    /// <summary><c>/v2/&lt;name&gt;/referrers/&lt;digest&gt;</c> (OCI 1.1; not served by registry 2.8.2).</summary>
    Referrers,
}
