using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using Gateway.Edge.Tests.Support;

namespace Gateway.Edge.Tests.TokenServer;

/// <summary>Token requests are measured like /v2/ requests.</summary>
public sealed class TokenTelemetryTests
{
    [Fact]
    public async Task Token_Requests_AppearInRequestDurationAsRouteClassToken()
    {
        await using var edge = await EdgeTestHost.StartAsync(configure: TokenEndpointTests.TokenSettings);
        var seen = new ConcurrentQueue<(string RouteClass, int Status)>();
        var factory = edge.Services.GetService(typeof(IMeterFactory));
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "gateway.request.duration" && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            string? routeClass = null;
            var status = 0;
            foreach (var tag in tags)
            {
                routeClass = tag.Key == "route_class" ? tag.Value as string : routeClass;
                status = tag.Key == "http.response.status_code" && tag.Value is int code ? code : status;
            }

            seen.Enqueue((routeClass!, status));
        });
        listener.Start();

        using var issued = await edge.SendAsync(HttpMethod.Get, $"/token?service={TokenEndpointTests.Service}", EdgeTestHost.Basic(EdgeTestHost.User, EdgeTestHost.Password));
        using var refused = await edge.SendAsync(HttpMethod.Get, $"/token?service={TokenEndpointTests.Service}", EdgeTestHost.Basic(EdgeTestHost.User, "wrong"));

        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains(("token", 200), seen);
        Assert.Contains(("token", 401), seen);
    }
}
