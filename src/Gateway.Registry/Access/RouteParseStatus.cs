namespace Gateway.Registry.Access;

/// <summary>The outcome of <see cref="RegistryRouteParser.TryParse"/>.</summary>
public enum RouteParseStatus
{
    /// <summary>A recognised route with a valid name and reference.</summary>
    Ok,

    /// <summary>Not under <c>/v2/</c>, or no registry route has this shape.</summary>
    NotFound,

    /// <summary>A route shape whose repository name breaks the name grammar.</summary>
    NameInvalid,

    /// <summary>A manifest route whose reference is neither a tag nor a digest.</summary>
    ReferenceInvalid,

    /// <summary>A blob or referrers route whose last segment is not a digest.</summary>
    DigestInvalid,

    /// <summary>
    /// A path that could be read differently by the gateway and the registry: percent-encoding, <c>//</c>,
    /// a <c>.</c> or <c>..</c> segment, a backslash, a control, space or non-ASCII character, or over
    /// 2048 characters.
    /// </summary>
    PathInvalid,
}
