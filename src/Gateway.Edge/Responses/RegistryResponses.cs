using Gateway.Registry.Errors;
using Microsoft.AspNetCore.Http;

namespace Gateway.Edge.Responses;

/// <summary>Writes the gateway's own answers in the registry's JSON error format.</summary>
public static class RegistryResponses
{
    /// <summary>The header the registry sets on every <c>/v2/</c> response.</summary>
    public const string ApiVersionHeader = "Docker-Distribution-Api-Version";

    /// <summary>Its only value.</summary>
    public const string ApiVersion = "registry/2.0";

    /// <summary>Writes an error; the response must not have started.</summary>
    public static Task WriteErrorAsync(HttpContext context, RegistryError error)
    {
        var response = context.Response;
        response.StatusCode = error.Status;
        response.ContentType = RegistryErrorBody.ContentType;
        response.Headers.CacheControl = "no-store";
        response.Headers[ApiVersionHeader] = ApiVersion;
        var body = RegistryErrorBody.ToUtf8(error);
        response.ContentLength = body.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }
}
