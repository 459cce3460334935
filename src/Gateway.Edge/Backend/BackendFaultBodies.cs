using System.Net;
using System.Text;
using Gateway.Edge.Responses;
using Gateway.Edge.Telemetry;
using Gateway.Registry.Errors;
using Gateway.Registry.Logging;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Transforms;

namespace Gateway.Edge.Backend;

/// <summary>
/// A registry answer of 500 or more never reaches a client as the registry wrote it: its body can hold internal
/// detail (registry 2.8 puts the storage driver's file path in a 500's <c>detail</c>). The client gets the gateway's
/// own registry-format error with the same status (500 <c>UNKNOWN</c>; 502, 503 and 504 <c>UNAVAILABLE</c> with
/// <c>Retry-After</c>); the original body, up to 4 KiB, is logged here (event 1303) and counted as a backend error.
/// </summary>
public static partial class BackendFaultBodies
{
    /// <summary>How much of the registry's body is kept for the log.</summary>
    private const int LoggedBytes = 4096;

    /// <summary>The response transform; runs after YARP copied the registry's headers.</summary>
    public static async ValueTask ReplaceAsync(ResponseTransformContext transform)
    {
        if (transform.ProxyResponse is not { } proxied || (int)proxied.StatusCode < 500)
        {
            return;
        }

        var context = transform.HttpContext;
        var status = (int)proxied.StatusCode;
        transform.SuppressResponseBody = true;
        var original = await ReadBoundedAsync(proxied.Content, context.RequestAborted).ConfigureAwait(false);
        var services = context.RequestServices;
        services.GetRequiredService<EdgeMetrics>().BackendError("RegistryStatus" + status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Log.RegistryFault(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(BackendFaultBodies)), status, context.Request.Method, context.Request.Path, LogText.Escape(original));

        var response = context.Response;
        response.Headers.Clear();
        if (status is (int)HttpStatusCode.BadGateway or (int)HttpStatusCode.ServiceUnavailable or (int)HttpStatusCode.GatewayTimeout)
        {
            response.Headers.RetryAfter = "1";
            await RegistryResponses.WriteErrorAsync(context, new RegistryError(RegistryErrorCode.Unavailable, "the registry cannot serve this request right now; retry shortly", status)).ConfigureAwait(false);
            return;
        }

        await RegistryResponses.WriteErrorAsync(context, new RegistryError(RegistryErrorCode.Unknown, $"the registry failed to handle the request (status {status}; its answer is in the gateway's log)", status)).ConfigureAwait(false);
    }

    private static async Task<string> ReadBoundedAsync(HttpContent? content, CancellationToken cancellationToken)
    {
        if (content is null)
        {
            return string.Empty;
        }

        try
        {
            await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var buffer = new byte[LoggedBytes];
            var read = 0;
            int n;
            while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false)) > 0)
            {
                read += n;
            }

            return Encoding.UTF8.GetString(buffer, 0, read);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException)
        {
            return "(unreadable: " + ex.GetType().Name + ")";
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.BackendFaultReplaced, Level = LogLevel.Warning, Message = "Registry answered {Status} to {Method} {Path}; the client got the gateway's error instead of: {Body}")]
        public static partial void RegistryFault(ILogger logger, int status, string method, PathString path, string body);
    }
}
