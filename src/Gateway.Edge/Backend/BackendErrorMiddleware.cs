using Gateway.Edge.Responses;
using Gateway.Edge.Telemetry;
using Gateway.Registry.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Edge.Backend;

/// <summary>
/// Turns a failure to reach the registry into the registry's own error format (503 <c>UNAVAILABLE</c> with
/// <c>Retry-After</c>) instead of YARP's empty 502, when nothing has been sent to the client yet.
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

        metrics.BackendError(error.Error.ToString());
        Log.BackendFailed(logger, error.Error, context.Request.Method, context.Request.Path, error.Exception?.Message ?? "none");
        if (!context.Response.HasStarted)
        {
            context.Response.Clear();
            context.Response.Headers.RetryAfter = "1";
            await RegistryResponses.WriteErrorAsync(context, new RegistryError(RegistryErrorCode.Unavailable, "the registry backend cannot be reached; retry shortly"));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "Backend request failed ({Error}) for {Method} {Path}: {Reason}")]
        public static partial void BackendFailed(ILogger logger, ForwarderError error, string method, PathString path, string reason);
    }
}
