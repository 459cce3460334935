using Gateway.Registry.Access;
using Gateway.Registry.Errors;

namespace Gateway.Edge.Access.Answer;

/// <summary>The registry-format answer to each request the gate cannot read as the registry would.</summary>
internal static class RequestRefusals
{
    /// <summary>The error for a refusal (any status but <see cref="RequestReadStatus.Ok"/>).</summary>
    public static RegistryError ErrorFor(RequestReadStatus status) => status switch
    {
        RequestReadStatus.NameInvalid => new RegistryError(RegistryErrorCode.NameInvalid),
        RequestReadStatus.ReferenceInvalid => new RegistryError(RegistryErrorCode.TagInvalid, "invalid tag or digest in the manifest reference"),
        RequestReadStatus.DigestInvalid => new RegistryError(RegistryErrorCode.DigestInvalid, "invalid digest"),
        RequestReadStatus.PathInvalid => new RegistryError(RegistryErrorCode.NameInvalid, "invalid request path: encoded characters, empty or dot segments are not allowed"),
        RequestReadStatus.FormBody => new RegistryError(RegistryErrorCode.Unsupported, "form bodies are not accepted on the registry API: send blobs as application/octet-stream", 400),
        RequestReadStatus.ContentTypeRepeated => new RegistryError(RegistryErrorCode.Unsupported, "more than one Content-Type header", 400),
        RequestReadStatus.QueryInvalid => new RegistryError(RegistryErrorCode.Unsupported, "invalid query string: only RFC 3986 query characters and %XX escapes are accepted, and no ';'", 400),
        RequestReadStatus.ParameterRepeated => new RegistryError(RegistryErrorCode.Unsupported, "a query parameter the registry reads (from, mount, digest, _state) is repeated", 400),
        RequestReadStatus.MountSourceInvalid => new RegistryError(RegistryErrorCode.NameInvalid, "invalid repository name in 'from'"),
        RequestReadStatus.MethodUnsupported => new RegistryError(RegistryErrorCode.Unsupported),
        _ => new RegistryError(RegistryErrorCode.Unsupported, "unknown registry API endpoint", 404),
    };

    /// <summary>A few words for the audit event of a refusal.</summary>
    public static string ReasonFor(RequestReadStatus status) => status switch
    {
        RequestReadStatus.FormBody => "form body refused (the registry would read form values from it)",
        RequestReadStatus.ContentTypeRepeated => "more than one Content-Type",
        RequestReadStatus.QueryInvalid => "query not plain",
        RequestReadStatus.ParameterRepeated => "registry query parameter repeated",
        RequestReadStatus.MountSourceInvalid => "invalid mount source",
        RequestReadStatus.MethodUnsupported => "unsupported method",
        _ => status.ToString(),
    };
}
