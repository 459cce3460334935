namespace Gateway.Registry.Access;

/// <summary>
/// The outcome of <see cref="RegistryRequestReader.TryRead"/>: a request the gate can authorize, or why it cannot
/// be forwarded. Every refusal is a request the gateway and the registry could read differently, or one the
/// registry would refuse anyway.
/// </summary>
public enum RequestReadStatus
{
    /// <summary>Read: the route, the scopes it needs and the mount source are exactly the registry's.</summary>
    Ok,

    /// <summary>Not under <c>/v2/</c>, or no registry route has this shape.</summary>
    NotFound,

    /// <summary>A path a decoder or normaliser could rewrite (see <see cref="RouteParseStatus.PathInvalid"/>).</summary>
    PathInvalid,

    /// <summary>A repository name outside the name grammar.</summary>
    NameInvalid,

    /// <summary>A manifest reference that is neither a tag nor a digest, on a method that writes (PUT, POST, PATCH).</summary>
    ReferenceInvalid,

    /// <summary>A blob or referrers route whose last segment is not a digest.</summary>
    DigestInvalid,

    /// <summary>
    /// A body Go would read form values from: a <c>Content-Type</c> whose media type (as Go reads it, whatever the
    /// parameters) is <c>application/x-www-form-urlencoded</c> or <c>multipart/form-data</c>, or one with
    /// characters outside printable ASCII.
    /// </summary>
    FormBody,

    /// <summary>More than one <c>Content-Type</c> header: Go reads the first, other hops may join them.</summary>
    ContentTypeRepeated,

    /// <summary>A query with a character every hop might not forward or read alike (a <c>;</c>, a bad escape, a space, non-ASCII).</summary>
    QueryInvalid,

    /// <summary>A query parameter the registry reads (<c>from</c>, <c>mount</c>, <c>digest</c>, <c>_state</c>) given more than once.</summary>
    ParameterRepeated,

    /// <summary>A <c>from</c> that is not a repository name.</summary>
    MountSourceInvalid,

    /// <summary>A method other than GET, HEAD, POST, PUT, PATCH and DELETE.</summary>
    MethodUnsupported,
}
