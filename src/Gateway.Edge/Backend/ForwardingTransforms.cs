using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Gateway.Edge.Backend;

/// <summary>
/// What the edge changes on the way to the registry and back, as the recipe does: the client's Host goes on
/// (the registry builds absolute <c>Location</c> URLs from it), <c>X-Forwarded-For/Proto/Host</c> and
/// <c>X-Real-IP</c> are set from what the edge knows (never passed on from the client), a client's own
/// <c>Forwarded</c> header is dropped (the registry would prefer it), and the client's <c>Authorization</c>
/// never reaches the unauthenticated backend. A <c>Location</c> that still names a backend replica is
/// rewritten to the address the client used. Everything else, <c>_state</c> included, passes unchanged.
/// </summary>
public static class ForwardingTransforms
{
    /// <summary>Applies the transforms to the registry route.</summary>
    /// <param name="context">The route's transform builder.</param>
    /// <param name="backends">The registry replicas.</param>
    /// <param name="forwardAuthorization">
    /// True in token mode (<c>Gateway:Auth:Mode=token</c>): the Bearer token, already validated by the edge, goes on to
    /// the registry (which may check it itself, with <c>auth: token</c>). False: <c>Authorization</c> is removed.
    /// </param>
    public static void Apply(TransformBuilderContext context, IReadOnlyCollection<Uri> backends, bool forwardAuthorization = false)
    {
        context.UseDefaultForwarders = false;
        if (!forwardAuthorization)
        {
            context.AddRequestHeaderRemove(HeaderNames.Authorization);
        }

        context.AddRequestHeaderRemove("Forwarded");
        context.AddRequestHeaderRemove("X-Forwarded-Prefix");
        context.AddOriginalHost(useOriginal: true);
        context.AddXForwarded(ForwardedTransformActions.Set);
        context.AddRequestTransform(static transform =>
        {
            var address = transform.HttpContext.Connection.RemoteIpAddress;
            transform.ProxyRequest.Headers.Remove("X-Real-IP");
            if (address is not null)
            {
                transform.ProxyRequest.Headers.TryAddWithoutValidation("X-Real-IP", (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString());
            }

            return ValueTask.CompletedTask;
        });

        context.AddResponseTransform(BackendFaultBodies.ReplaceAsync);

        var authorities = backends.Select(b => b.Authority).ToHashSet(StringComparer.OrdinalIgnoreCase);
        context.AddResponseTransform(transform =>
        {
            var headers = transform.HttpContext.Response.Headers;
            var location = headers.Location.ToString();
            if (location.Length > 0 && Uri.TryCreate(location, UriKind.Absolute, out var uri) && authorities.Contains(uri.Authority))
            {
                var request = transform.HttpContext.Request;
                headers.Location = $"{request.Scheme}://{request.Host.Value}{uri.PathAndQuery}";
            }

            return ValueTask.CompletedTask;
        });
    }
}
