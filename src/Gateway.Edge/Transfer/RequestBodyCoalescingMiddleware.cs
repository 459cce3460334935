using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Transfer;

/// <summary>
/// Hands request bodies to the proxy in pieces of at least <see cref="TransferOptions.MinimumReadSize"/>
/// (<see cref="CoalescingReadStream"/>). First in the <c>/v2/</c> pipeline, so everything after it (the byte counters,
/// YARP's copy loop) reads the coalesced body.
/// </summary>
public sealed class RequestBodyCoalescingMiddleware(RequestDelegate next, IOptions<TransferOptions> options)
{
    private readonly int _minimum = options.Value.MinimumReadSize;

    /// <summary>Wraps the body of a request that has one, for the rest of the pipeline.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        if (_minimum == 0 || context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody != true)
        {
            await next(context);
            return;
        }

        var request = context.Request;
        var original = request.Body;
        request.Body = new CoalescingReadStream(request.BodyReader, _minimum);
        try
        {
            await next(context);
        }
        finally
        {
            request.Body = original;
        }
    }
}
