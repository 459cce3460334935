using Gateway.Registry.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;

namespace Gateway.Edge.Responses;

/// <summary>Writes the gateway's own answers in the registry's JSON error format.</summary>
public static class RegistryResponses
{
    /// <summary>The header the registry sets on every <c>/v2/</c> response.</summary>
    public const string ApiVersionHeader = "Docker-Distribution-Api-Version";

    /// <summary>Its only value.</summary>
    public const string ApiVersion = "registry/2.0";

    /// <summary>The longest reason phrase written (the status line carries the message for clients that print only it).</summary>
    internal const int MaxReasonPhrase = 200;

    /// <summary>
    /// Writes an error; the response must not have started. An error with its own message also gets it in the HTTP/1.1
    /// reason phrase (<c>403 Forbidden (account locked … until …)</c>): containerd (<c>ctr</c>) prints only the status line
    /// of a refusal, never the body.
    /// </summary>
    public static Task WriteErrorAsync(HttpContext context, RegistryError error)
    {
        var response = context.Response;
        response.StatusCode = error.Status;
        response.ContentType = RegistryErrorBody.ContentType;
        response.Headers.CacheControl = "no-store";
        response.Headers[ApiVersionHeader] = ApiVersion;
        if (ReasonPhrase(error) is { } reason && context.Features.Get<IHttpResponseFeature>() is { } feature)
        {
            feature.ReasonPhrase = reason;
        }

        var body = RegistryErrorBody.ToUtf8(error);
        response.ContentLength = body.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    /// <summary>
    /// <c>Standard Text (message)</c> for an error whose message is not its code's default, else null (the standard
    /// phrase). Only printable ASCII is kept (anything else becomes <c>?</c>), so no client text can break the status line.
    /// </summary>
    internal static string? ReasonPhrase(RegistryError error)
    {
        if (error.Message is null || string.Equals(error.Message, error.Code.DefaultMessage, StringComparison.Ordinal))
        {
            return null;
        }

        var standard = ReasonPhrases.GetReasonPhrase(error.Status);
        var text = standard.Length == 0 ? error.Message : $"{standard} ({error.Message})";
        if (text.Length > MaxReasonPhrase)
        {
            text = text[..(MaxReasonPhrase - 3)] + "...";
        }

        return string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                span[i] = c is >= ' ' and <= '~' ? c : '?';
            }
        });
    }
}
