using Gateway.Edge.Access;
using Gateway.Registry.Access;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Gateway.Edge.Caching;

/// <summary>
/// What the cache does with a request, decided only from what the access gate read of it
/// (<see cref="RegistryAccessFeature"/>: the registry's own reading of the path), never from a parse of its own.
/// </summary>
/// <param name="Kind">Pass, lookup or invalidate.</param>
/// <param name="Key">The answer looked up (<see cref="CachePlanKind.Lookup"/>); its address is the one invalidated.</param>
public readonly record struct CachePlan(CachePlanKind Kind, AnswerKey Key)
{
    /// <summary>Forward untouched.</summary>
    public static readonly CachePlan Pass = new(CachePlanKind.Pass, default);

    // The registry answers these itself (304, 206, 412): such requests always go to it.
    private static readonly string[] ConditionalHeaders =
    [
        HeaderNames.Range, HeaderNames.IfRange, HeaderNames.IfMatch, HeaderNames.IfNoneMatch, HeaderNames.IfModifiedSince, HeaderNames.IfUnmodifiedSince,
    ];

    /// <summary>Whether a <c>GET</c> is planned (an answer with a body is needed).</summary>
    public bool NeedsBody { get; init; }

    /// <summary>Plans one request the gate let through; <paramref name="access"/> is null for any other.</summary>
    public static CachePlan For(string method, RegistryAccessFeature? access, IHeaderDictionary headers)
    {
        if (access is null || access.Route.Repository is not { Length: > 0 } repository || access.Route.Reference is not { Length: > 0 } reference)
        {
            return Pass;
        }

        var kind = access.Route.Kind switch
        {
            // A tag never names a digest (':' is not in the tag grammar): tags are never cached.
            RegistryRouteKind.Manifest when reference.Contains(':', StringComparison.Ordinal) => CachedResource.Manifest,
            RegistryRouteKind.Blob => CachedResource.Blob,
            _ => (CachedResource?)null,
        };
        if (kind is null)
        {
            return Pass;
        }

        var address = new ContentAddress(kind.Value, repository, reference);
        if (HttpMethods.IsDelete(method))
        {
            return new CachePlan(CachePlanKind.Invalidate, new AnswerKey(address, string.Empty));
        }

        var get = HttpMethods.IsGet(method);
        var head = HttpMethods.IsHead(method);

        // Blob bodies stream from the registry (or its storage's redirect); only a blob's existence is kept. A request
        // with a mount source (?from=) needs more than one scope: the gate checked it, the cache leaves it alone.
        if (!(head || (get && kind == CachedResource.Manifest)) || access.Scopes.Count != 1 || HasConditions(headers))
        {
            return Pass;
        }

        var accept = kind == CachedResource.Manifest ? headers.Accept.ToString() : string.Empty;
        return new CachePlan(CachePlanKind.Lookup, new AnswerKey(address, accept)) { NeedsBody = get };
    }

    private static bool HasConditions(IHeaderDictionary headers)
    {
        foreach (var name in ConditionalHeaders)
        {
            if (headers.ContainsKey(name))
            {
                return true;
            }
        }

        return false;
    }
}
