namespace Gateway.Registry.Errors;

/// <summary>
/// An error code of the registry's JSON error format, with its default message and HTTP status
/// (distribution 2.8.2, <c>registry/api/errcode/register.go</c> and <c>registry/api/v2/errors.go</c>).
/// </summary>
public sealed class RegistryErrorCode
{
    private RegistryErrorCode(string code, string defaultMessage, int statusCode)
    {
        Code = code;
        DefaultMessage = defaultMessage;
        StatusCode = statusCode;
    }

    /// <summary>The value of <c>code</c> in the error body, e.g. <c>UNAUTHORIZED</c>.</summary>
    public string Code { get; }

    /// <summary>The registry's default <c>message</c> for this code.</summary>
    public string DefaultMessage { get; }

    /// <summary>The HTTP status the registry answers with for this code.</summary>
    public int StatusCode { get; }

    /// <summary>401: credentials missing or wrong.</summary>
    public static RegistryErrorCode Unauthorized { get; } = new("UNAUTHORIZED", "authentication required", 401);

    /// <summary>403: authenticated, but the access is not allowed.</summary>
    public static RegistryErrorCode Denied { get; } = new("DENIED", "requested access to the resource is denied", 403);

    /// <summary>429: a lockout or a rate limit.</summary>
    public static RegistryErrorCode TooManyRequests { get; } = new("TOOMANYREQUESTS", "too many requests", 429);

    /// <summary>503: the gateway cannot decide right now (cluster or backend fault); fail closed.</summary>
    public static RegistryErrorCode Unavailable { get; } = new("UNAVAILABLE", "service unavailable", 503);

    /// <summary>400: the repository name does not match the registry's grammar.</summary>
    public static RegistryErrorCode NameInvalid { get; } = new("NAME_INVALID", "invalid repository name", 400);

    /// <summary>400: a manifest reference that is neither a valid tag nor a valid digest.</summary>
    public static RegistryErrorCode TagInvalid { get; } = new("TAG_INVALID", "manifest tag did not match URI", 400);

    /// <summary>400: a malformed digest.</summary>
    public static RegistryErrorCode DigestInvalid { get; } = new("DIGEST_INVALID", "provided digest did not match uploaded content", 400);

    /// <summary>500: an error the registry (or the gateway for it) cannot describe further.</summary>
    public static RegistryErrorCode Unknown { get; } = new("UNKNOWN", "unknown error", 500);

    /// <summary>400: a manifest body that cannot be read.</summary>
    public static RegistryErrorCode ManifestInvalid { get; } = new("MANIFEST_INVALID", "manifest invalid", 400);

    /// <summary>400 here (the registry serves it with 404 for an unknown upload): an upload whose body cannot be read.</summary>
    public static RegistryErrorCode BlobUploadInvalid { get; } = new("BLOB_UPLOAD_INVALID", "blob upload invalid", 400);

    /// <summary>404: no manifest by this reference.</summary>
    public static RegistryErrorCode ManifestUnknown { get; } = new("MANIFEST_UNKNOWN", "manifest unknown", 404);

    /// <summary>405 (or 404 for unknown endpoints): the operation is unsupported.</summary>
    public static RegistryErrorCode Unsupported { get; } = new("UNSUPPORTED", "The operation is unsupported.", 405);
}
