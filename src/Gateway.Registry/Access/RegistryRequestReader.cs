namespace Gateway.Registry.Access;

/// <summary>
/// Reads a request as registry 2.8.2 will (its router, its repository-name grammar, and Go's <c>FormValue</c>
/// over the query and the body), and refuses what the two could read differently. The gate authorizes from this
/// reading only, so what is authorized is what the registry acts on: the route and repository from the raw path,
/// the mount source from the raw query with Go's rules, and no body the registry could take form values from.
/// </summary>
public static class RegistryRequestReader
{
    /// <summary>The query parameters the registry reads; each may appear at most once.</summary>
    private static readonly string[] RegistryParameters = ["from", "mount", "digest", "_state"];

    /// <summary>Reads one request.</summary>
    /// <param name="method">The HTTP method as sent.</param>
    /// <param name="rawTarget">The request target exactly as sent (path and query, not decoded or normalised).</param>
    /// <param name="contentTypes">Every <c>Content-Type</c> header value of the request, as received.</param>
    /// <param name="request">The request when the result is <see cref="RequestReadStatus.Ok"/>; otherwise null.</param>
    public static RequestReadStatus TryRead(string method, string rawTarget, IReadOnlyList<string?> contentTypes, out RegistryRequest? request)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(rawTarget);
        ArgumentNullException.ThrowIfNull(contentTypes);
        request = null;

        var question = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? rawTarget : rawTarget[..question];
        var query = question < 0 ? ReadOnlySpan<char>.Empty : rawTarget.AsSpan(question + 1);

        var routed = RegistryRouteParser.TryParse(path, out var route);
        var answer = RegistryRequestAnswer.Forward;
        switch (routed)
        {
            case RouteParseStatus.Ok:
                break;
            case RouteParseStatus.ReferenceInvalid when method is "GET" or "HEAD" or "DELETE":
                // Names no manifest: authorized as any manifest read or delete, then answered 404 by the gate.
                answer = RegistryRequestAnswer.ManifestUnknown;
                break;
            default:
                return Refusal(routed);
        }

        if (contentTypes.Count > 1)
        {
            return RequestReadStatus.ContentTypeRepeated;
        }

        if (contentTypes.Count == 1 && contentTypes[0] is { Length: > 0 } contentType && GoMediaType.MayBeForm(contentType))
        {
            return RequestReadStatus.FormBody;
        }

        if (!IsPlainQuery(query))
        {
            return RequestReadStatus.QueryInvalid;
        }

        string? mountFrom = null;
        if (!query.IsEmpty)
        {
            foreach (var parameter in RegistryParameters)
            {
                if (GoQuery.Find(query, parameter).Count > 1)
                {
                    return RequestReadStatus.ParameterRepeated;
                }
            }

            // The registry reads 'from' on every repository route (its access check asks for pull on it); the
            // base route and the catalog have no repository and ignore it.
            if (route.Repository is not null && GoQuery.Find(query, "from").Value is { Length: > 0 } from)
            {
                if (!AccessRequestMapper.IsValidMountSource(from))
                {
                    return RequestReadStatus.MountSourceInvalid;
                }

                mountFrom = from;
            }
        }

        if (!AccessRequestMapper.TryMap(method, route, mountFrom, out var scopes))
        {
            return RequestReadStatus.MethodUnsupported;
        }

        request = new RegistryRequest(method, route, mountFrom, scopes, answer);
        return RequestReadStatus.Ok;
    }

    private static RequestReadStatus Refusal(RouteParseStatus status) => status switch
    {
        RouteParseStatus.NameInvalid => RequestReadStatus.NameInvalid,
        RouteParseStatus.ReferenceInvalid => RequestReadStatus.ReferenceInvalid,
        RouteParseStatus.DigestInvalid => RequestReadStatus.DigestInvalid,
        RouteParseStatus.PathInvalid => RequestReadStatus.PathInvalid,
        _ => RequestReadStatus.NotFound,
    };

    /// <summary>
    /// True when every character is one RFC 3986 allows in a query and every hop passes on unchanged: letters,
    /// digits, <c>-._~!$&amp;'()*+,=:@/?</c> and <c>%</c> followed by two hex digits. A <c>;</c> is refused: Go
    /// before 1.17 (and other readers) split pairs on it, Go 1.17+ drops the pair.
    /// </summary>
    internal static bool IsPlainQuery(ReadOnlySpan<char> query)
    {
        for (var i = 0; i < query.Length; i++)
        {
            var c = query[i];
            if (AsciiGrammar.IsAlphanumeric(c))
            {
                continue;
            }

            switch (c)
            {
                case '-' or '.' or '_' or '~' or '!' or '$' or '&' or '\'' or '(' or ')' or '*' or '+' or ',' or '=' or ':' or '@' or '/' or '?':
                    continue;
                case '%' when i + 2 < query.Length && char.IsAsciiHexDigit(query[i + 1]) && char.IsAsciiHexDigit(query[i + 2]):
                    i += 2;
                    continue;
                default:
                    return false;
            }
        }

        return true;
    }
}
