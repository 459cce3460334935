namespace Gateway.Registry.Access;

/// <summary>
/// Recognises registry API v2 routes in a raw request path the way registry 2.8.2's router does
/// (gorilla mux, greedy name pattern), and refuses paths the gateway and the registry could read differently.
/// </summary>
public static class RegistryRouteParser
{
    /// <summary>Longest raw path accepted, in characters.</summary>
    internal const int MaxPathLength = 2048;

    private const string Prefix = "/v2/";
    private const string Catalog = "_catalog";
    private const string Blobs = "blobs";
    private const string Uploads = "uploads";
    private const string Manifests = "manifests";
    private const string Referrers = "referrers";
    private const string Tags = "tags";
    private const string List = "list";

    /// <summary>Parses a raw request path.</summary>
    /// <param name="rawPath">
    /// The request target's path exactly as the client sent it: not percent-decoded, not normalised,
    /// without the query string.
    /// </param>
    /// <param name="route">
    /// The route when the result is <see cref="RouteParseStatus.Ok"/>, and the manifest route with its bad reference when
    /// it is <see cref="RouteParseStatus.ReferenceInvalid"/>; otherwise <see langword="default"/>, whose kind is no route.
    /// </param>
    public static RouteParseStatus TryParse(string rawPath, out RegistryRoute route)
    {
        ArgumentNullException.ThrowIfNull(rawPath);
        route = default;
        var path = rawPath.AsSpan();
        if (path is "/v2")
        {
            route = new RegistryRoute(RegistryRouteKind.Base, null, null);
            return RouteParseStatus.Ok;
        }

        if (!path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return RouteParseStatus.NotFound;
        }

        if (path.Length > MaxPathLength || !IsPlainPath(path))
        {
            return RouteParseStatus.PathInvalid;
        }

        var rest = path[Prefix.Length..];
        if (rest.IsEmpty)
        {
            route = new RegistryRoute(RegistryRouteKind.Base, null, null);
            return RouteParseStatus.Ok;
        }

        if (rest is Catalog)
        {
            route = new RegistryRoute(RegistryRouteKind.Catalog, null, null);
            return RouteParseStatus.Ok;
        }

        // Every repository route ends in "<keyword>/<last>" and none of its last segments can hold a '/',
        // so reading the keyword from the right gives the name the greedy router pattern would capture.
        var lastSlash = rest.LastIndexOf('/');
        if (lastSlash < 0)
        {
            return RouteParseStatus.NotFound;
        }

        var last = rest[(lastSlash + 1)..];
        var head = rest[..lastSlash];
        var keyword = LastSegment(head, out var name);

        if (keyword is Manifests)
        {
            return Complete(RegistryRouteKind.Manifest, name, last, out route);
        }

        if (keyword is Blobs)
        {
            return last is Uploads
                ? Complete(RegistryRouteKind.BlobUploadStart, name, default, out route)
                : Complete(RegistryRouteKind.Blob, name, last, out route);
        }

        if (keyword is Uploads)
        {
            if (LastSegment(name, out var uploadName) is not Blobs)
            {
                return RouteParseStatus.NotFound;
            }

            return last.IsEmpty
                ? Complete(RegistryRouteKind.BlobUploadStart, uploadName, default, out route)
                : Complete(RegistryRouteKind.BlobUpload, uploadName, last, out route);
        }

        if (keyword is Tags && last is List)
        {
            return Complete(RegistryRouteKind.TagsList, name, default, out route);
        }

        if (keyword is Referrers)
        {
            return Complete(RegistryRouteKind.Referrers, name, last, out route);
        }

        return RouteParseStatus.NotFound;
    }

    private static RouteParseStatus Complete(RegistryRouteKind kind, ReadOnlySpan<char> name, ReadOnlySpan<char> reference, out RegistryRoute route)
    {
        route = default;
        if (!RepositoryName.IsValid(name))
        {
            return RouteParseStatus.NameInvalid;
        }

        var status = kind switch
        {
            RegistryRouteKind.Manifest => RepositoryName.IsValidTag(reference) || RepositoryName.IsValidDigest(reference)
                ? RouteParseStatus.Ok
                : RouteParseStatus.ReferenceInvalid,
            RegistryRouteKind.Blob or RegistryRouteKind.Referrers => RepositoryName.IsValidDigest(reference)
                ? RouteParseStatus.Ok
                : RouteParseStatus.DigestInvalid,
            RegistryRouteKind.BlobUpload => IsValidUploadId(reference) ? RouteParseStatus.Ok : RouteParseStatus.NotFound,
            _ => RouteParseStatus.Ok,
        };

        // A manifest route with a bad reference keeps its route: GET, HEAD and DELETE of it are authorized like any
        // manifest request and answered 404 by the gate (see RegistryRequestReader).
        if (status is RouteParseStatus.Ok or RouteParseStatus.ReferenceInvalid)
        {
            route = new RegistryRoute(kind, name.ToString(), reference.IsEmpty ? null : reference.ToString());
        }

        return status;
    }

    /// <summary>The segment after the last '/' of <paramref name="path"/>; <paramref name="before"/> is what precedes that '/' (empty when none).</summary>
    private static ReadOnlySpan<char> LastSegment(ReadOnlySpan<char> path, out ReadOnlySpan<char> before)
    {
        var slash = path.LastIndexOf('/');
        before = slash < 0 ? default : path[..slash];
        return path[(slash + 1)..];
    }

    /// <summary>
    /// False for anything a decoder or normaliser on either side could rewrite: '%', '\', characters outside
    /// printable ASCII, empty segments ("//"), and "." or ".." segments. A single trailing '/' is allowed.
    /// </summary>
    private static bool IsPlainPath(ReadOnlySpan<char> path)
    {
        // path starts with "/v2/"; segments are checked from index 4.
        var segmentStart = Prefix.Length;
        for (var i = Prefix.Length; i <= path.Length; i++)
        {
            if (i < path.Length)
            {
                var c = path[i];
                if (c is <= ' ' or >= '\u007f' or '%' or '\\')
                {
                    return false;
                }

                if (c != '/')
                {
                    continue;
                }
            }

            var segment = path[segmentStart..i];
            if (segment is "." or ".." || (segment.IsEmpty && i < path.Length))
            {
                return false;
            }

            segmentStart = i + 1;
        }

        return true;
    }

    /// <summary>The router's upload id pattern, <c>[a-zA-Z0-9-_.=]+</c>.</summary>
    private static bool IsValidUploadId(ReadOnlySpan<char> id)
    {
        if (id.IsEmpty)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!AsciiGrammar.IsAlphanumeric(c) && c is not ('-' or '_' or '.' or '='))
            {
                return false;
            }
        }

        return true;
    }
}
