using Gateway.Edge.Access;
using Gateway.Edge.Responses;
using Gateway.Registry.Access;
using Gateway.Edge.Telemetry;
using Gateway.Registry.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;
using Gateway.Registry.Logging;

namespace Gateway.Edge.Backend;

/// <summary>
/// Turns a failure to reach the registry into the registry's own error format (503 <c>UNAVAILABLE</c> with
/// <c>Retry-After</c>) instead of YARP's empty 502, when nothing has been sent to the client yet. A request body the
/// client garbled (a bad chunk size, a body cut short or stalled past Kestrel's minimum data rate) is the client's fault: 400 in the registry's format, not a
/// backend error and no invitation to retry.
/// </summary>
public sealed partial class BackendErrorMiddleware(RequestDelegate next, EdgeMetrics metrics, ILogger<BackendErrorMiddleware> logger)
{
    /// <summary>Runs the proxy, then maps its error.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        await next(context);
        var error = context.Features.Get<IForwarderErrorFeature>();
        if (error is null || error.Error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled)
        {
            return;
        }

        if (error.Error == ForwarderError.RequestBodyClient)
        {
            Log.BodyMalformed(logger, context.Request.Method, context.Request.Path, error.Exception?.Message ?? "none");
            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                await RegistryResponses.WriteErrorAsync(context, MalformedBody(context.Features.Get<RegistryAccessFeature>()?.Route.Kind));
            }

            return;
        }

        metrics.BackendError(error.Error.ToString());
        Log.BackendFailed(logger, error.Error, context.Request.Method, context.Request.Path, error.Exception?.Message ?? "none");
        if (!context.Response.HasStarted)
        {
            context.Response.Clear();
            context.Response.Headers.RetryAfter = "1";
            await RegistryResponses.WriteErrorAsync(context, new RegistryError(RegistryErrorCode.Unavailable, "the registry backend cannot be reached; retry shortly"));
        }
    }

    private static RegistryError MalformedBody(RegistryRouteKind? route)
    {
        const string Message = "the request body could not be read (a bad chunk size, or a body cut short or stalled); nothing was stored";
        return route switch
        {
            RegistryRouteKind.Manifest => new RegistryError(RegistryErrorCode.ManifestInvalid, Message),
            RegistryRouteKind.BlobUploadStart or RegistryRouteKind.BlobUpload => new RegistryError(RegistryErrorCode.BlobUploadInvalid, Message),
            _ => new RegistryError(RegistryErrorCode.Unsupported, Message, 400),
        };
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.BackendMalformedBody, Level = LogLevel.Debug, Message = "Malformed request body for {Method} {Path}: {Reason}")]
        public static partial void BodyMalformed(ILogger logger, string method, PathString path, string reason);

        [LoggerMessage(EventId = EventIds.BackendFailed, Level = LogLevel.Warning, Message = "Backend request failed ({Error}) for {Method} {Path}: {Reason}")]
        public static partial void BackendFailed(ILogger logger, ForwarderError error, string method, PathString path, string reason);
    }
}
