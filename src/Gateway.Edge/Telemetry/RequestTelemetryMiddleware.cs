using System.Diagnostics;
using Gateway.Edge.Access;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Edge.Telemetry;

/// <summary>
/// First in the <c>/v2/</c> pipeline: measures every request (<c>gateway.request.duration</c>, by route class, method
/// and status) and counts the body bytes of those let through to the registry (<c>gateway.proxy.transferred</c>).
/// The route class comes from the route the access gate parsed (<see cref="RegistryAccessFeature"/>), or from the
/// path when the gate refused the request.
/// </summary>
public sealed class RequestTelemetryMiddleware(RequestDelegate next, EdgeMetrics metrics)
{
    /// <summary>Runs the rest of the pipeline and records it.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var request = context.Request;
        var response = context.Response;
        var originalRequestBody = request.Body;
        var originalResponseBody = context.Features.Get<IHttpResponseBodyFeature>();
        var up = new CountingReadStream(originalRequestBody);
        var down = new CountingWriteStream(response.Body);
        request.Body = up;
        response.Body = down;
        var status = 500;
        try
        {
            await next(context);
            status = response.StatusCode;
        }
        finally
        {
            request.Body = originalRequestBody;
            if (originalResponseBody is not null)
            {
                context.Features.Set(originalResponseBody);
            }

            var access = context.Features.Get<RegistryAccessFeature>();
            var routeClass = access is not null ? RouteClasses.Of(access.Route.Kind) : RouteClasses.Of(RawPath(context));
            metrics.RequestCompleted(routeClass, RouteClasses.Method(request.Method), status, Stopwatch.GetElapsedTime(started));
            if (access is not null)
            {
                metrics.Transferred("up", routeClass, up.BytesRead);
                metrics.Transferred("down", routeClass, down.BytesWritten);
            }
        }
    }

    /// <summary>
    /// Measures a request served outside the proxy pipeline (the token endpoint) as route class
    /// <paramref name="routeClass"/>: the same request-duration metric as <c>/v2/</c> requests.
    /// </summary>
    public static async Task MeasureAsync(HttpContext context, string routeClass, Func<HttpContext, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(handler);
        var metrics = context.RequestServices.GetRequiredService<EdgeMetrics>();
        var started = Stopwatch.GetTimestamp();
        var status = 500;
        try
        {
            await handler(context);
            status = context.Response.StatusCode;
        }
        finally
        {
            metrics.RequestCompleted(routeClass, RouteClasses.Method(context.Request.Method), status, Stopwatch.GetElapsedTime(started));
        }
    }

    private static string RawPath(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw))
        {
            return context.Request.Path.Value ?? string.Empty;
        }

        var query = raw.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? raw : raw[..query];
    }
}
