using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Transfer;

/// <summary>
/// Hands upload bodies to the proxy in pieces of at least <see cref="TransferOptions.MinimumReadSize"/>
/// (<see cref="CoalescingReadStream"/>). First in the <c>/v2/</c> pipeline, so everything after it (the byte counters,
/// YARP's copy loop) reads the coalesced body. Only where a read waiting for more can always get it:
/// HTTP/1.1 bodies with a <c>Content-Length</c> (read straight from the connection, which buffers up to
/// <c>MaxRequestBufferSize</c>), and HTTP/2 bodies within the connection's <see cref="ConnectionReadBudget"/>. Never
/// chunked HTTP/1.1 bodies: Kestrel decodes those through a pipe that takes no more until everything in it is read.
/// </summary>
public sealed class RequestBodyCoalescingMiddleware
{
    private readonly RequestDelegate _next;
    private readonly int _minimum;
    private readonly ConnectionReadBudget _http2;

    /// <summary>Creates the middleware; the HTTP/2 budget follows Kestrel's connection window.</summary>
    public RequestBodyCoalescingMiddleware(RequestDelegate next, IOptions<TransferOptions> options, IOptions<KestrelServerOptions> kestrel)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(kestrel);
        _next = next;
        _minimum = options.Value.MinimumReadSize;
        _http2 = ConnectionReadBudget.For(kestrel.Value.Limits.Http2.InitialConnectionWindowSize, _minimum);
    }

    /// <summary>Wraps the body of an upload that may be coalesced, for the rest of the pipeline.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var http2 = HttpProtocol.IsHttp2(request.Protocol);
        var eligible = _minimum > 0 && (http2
            ? context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true
            : HttpProtocol.IsHttp11(request.Protocol) && request.ContentLength > 0 && request.Headers.TransferEncoding.Count == 0);
        // Only HTTP/2 uploads need the connection's id (every other request skips it).
        var connection = eligible && http2 ? context.Connection.Id : null;
        if (!eligible || (connection is not null && !_http2.TryEnter(connection)))
        {
            await _next(context);
            return;
        }

        var original = request.Body;
        request.Body = new CoalescingReadStream(request.BodyReader, _minimum);
        try
        {
            await _next(context);
        }
        finally
        {
            request.Body = original;
            if (connection is not null)
            {
                _http2.Exit(connection);
            }
        }
    }
}
