using Gateway.Edge.Access;
using Gateway.Edge.Backend;
using Microsoft.AspNetCore.Builder;
using Gateway.Edge.Network;
using Gateway.Edge.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gateway.Edge;

/// <summary>Wires the edge into the request pipeline.</summary>
public static class EdgeApplicationBuilderExtensions
{
    /// <summary>Resolves the client address (socket, or a trusted proxy's X-Forwarded-For). Call first.</summary>
    public static IApplicationBuilder UseRegistryClientAddress(this IApplicationBuilder app)
    {
        // ASP.NET's forwarded-headers middleware trusts every peer when its lists are empty:
        // without configured proxies it must not run at all, and the socket's address stands.
        var network = app.ApplicationServices.GetRequiredService<IOptions<NetworkOptions>>().Value;
        return network.TrustsProxies ? app.UseForwardedHeaders() : app;
    }

    /// <summary>Maps <c>/v2/</c>: the access gate, then the streaming proxy to the registry.</summary>
    public static IEndpointRouteBuilder MapRegistryEdge(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapReverseProxy(pipeline =>
        {
            pipeline.UseMiddleware<Transfer.RequestBodyCoalescingMiddleware>();
            pipeline.UseMiddleware<RequestTelemetryMiddleware>();
            pipeline.UseMiddleware<AccessMiddleware>();
            pipeline.UseMiddleware<Caching.AnswerCacheMiddleware>(); // after the gate: serves only what it authorized
            pipeline.UseMiddleware<BackendErrorMiddleware>();
            pipeline.UseSessionAffinity();
            pipeline.UseLoadBalancing();
            pipeline.UsePassiveHealthChecks();
        });

        // The token server, when Gateway:Token:SigningKey is set, at the path of Gateway:Token:Realm.
        var token = endpoints.ServiceProvider.GetRequiredService<IOptions<Gateway.Registry.Tokens.RegistryTokenOptions>>().Value;
        if (TokenServer.TokenServerOptionsValidator.IsEnabled(token))
        {
            endpoints.MapMethods(TokenServer.TokenServerOptionsValidator.EndpointPath(token), [HttpMethods.Get, HttpMethods.Post],
                context => RequestTelemetryMiddleware.MeasureAsync(context, "token", static c => c.RequestServices.GetRequiredService<TokenServer.TokenEndpoint>().HandleAsync(c)));
        }

        return endpoints;
    }
}
