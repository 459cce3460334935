using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Gateway.Edge.Telemetry;
using Gateway.Edge.Tests.Support;

namespace Gateway.Edge.Tests.Telemetry;

/// <summary>
/// The edge's spans, the trace context YARP sends on to the registry, and the request metrics, observed in-process
/// with an ActivityListener and a MeterListener (other tests run in parallel: each test looks only at its own trace
/// or its own byte counts).
/// </summary>
public sealed class EdgeTelemetryTests
{
    private static readonly System.Net.Http.Headers.AuthenticationHeaderValue Alice = EdgeTestHost.Basic(EdgeTestHost.User, EdgeTestHost.Password);

    [Fact]
    public async Task ProxiedRequest_CarriesTheTraceToTheRegistry_AndTheDecisionIsASpanWithoutSecrets()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is EdgeTelemetry.ActivitySourceName or "Microsoft.AspNetCore" or "System.Net.Http",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using var edge = await EdgeTestHost.StartAsync();
        var traceId = ActivityTraceId.CreateRandom();
        var clientSpan = ActivitySpanId.CreateRandom();

        using var response = await edge.SendAsync(HttpMethod.Get, "/v2/library/alpine/manifests/1", Alice, r => r.Headers.TryAddWithoutValidation("traceparent", $"00-{traceId}-{clientSpan}-01"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(edge.Backend.Received);
        var forwarded = received.Headers["traceparent"].Split('-');
        Assert.Equal(traceId.ToHexString(), forwarded[1]); // the client's trace goes on to the registry
        Assert.NotEqual(clientSpan.ToHexString(), forwarded[2]); // … as a child of the edge's spans
        Assert.Equal("01", forwarded[3]);

        var mine = stopped.Where(a => a.TraceId == traceId).ToList();
        var server = Assert.Single(mine, a => a.Kind == ActivityKind.Server && a.ParentSpanId == clientSpan); // not the fake registry's own
        Assert.Contains(mine, a => a.Kind == ActivityKind.Server && a.ParentSpanId.ToHexString() == forwarded[2]); // which joined the trace
        var decision = Assert.Single(mine, a => a.OperationName == "registry.access");
        var proxy = Assert.Single(mine, a => a.Kind == ActivityKind.Client && a.Source.Name == "System.Net.Http");
        Assert.Equal(server.SpanId, decision.ParentSpanId);
        Assert.Equal(server.SpanId, proxy.ParentSpanId); // the decision ends before the proxy starts
        Assert.Equal(proxy.SpanId.ToHexString(), forwarded[2]);
        Assert.Equal(ActivityKind.Internal, decision.Kind);
        Assert.Equal("library/alpine", decision.GetTagItem("registry.repository"));
        Assert.Equal(new[] { "pull" }, Assert.IsAssignableFrom<IEnumerable<string>>(decision.GetTagItem("registry.actions")));
        Assert.Equal(EdgeTestHost.User, decision.GetTagItem("enduser.id"));
        Assert.Equal("allowed", decision.GetTagItem("gateway.auth.outcome"));
        Assert.Equal("127.0.0.1", decision.GetTagItem("client.address"));
        Assert.NotNull(decision.GetTagItem("gateway.auth.cache"));

        foreach (var activity in mine)
        {
            foreach (var tag in activity.TagObjects)
            {
                var text = tag.Value is IEnumerable<string> many ? string.Join(',', many) : Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
                Assert.DoesNotContain(EdgeTestHost.Password, text, StringComparison.Ordinal);
                Assert.DoesNotContain(Alice.Parameter!, text, StringComparison.Ordinal);
                Assert.DoesNotContain("authorization", tag.Key, StringComparison.OrdinalIgnoreCase);
            }
        }
    }

    [Fact]
    public async Task RequestMetrics_CountBytesUpAndDown_ByRouteClass_AndDenialsWithoutBytes()
    {
        var measurements = new ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == EdgeMetrics.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        meters.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.Enqueue((i.Name, v, ToDictionary(tags))));
        meters.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Enqueue((i.Name, v, ToDictionary(tags))));
        meters.Start();
        await using var edge = await EdgeTestHost.StartAsync();
        const int upload = 123_457; // distinct from any other test's body
        const int download = 98_765;
        edge.Backend.Handler = async context =>
        {
            context.Response.StatusCode = context.Request.Method == "PATCH" ? 202 : 200;
            await context.Response.Body.WriteAsync(new byte[context.Request.Method == "PATCH" ? 0 : download]);
        };

        using (var patched = await edge.SendAsync(HttpMethod.Patch, "/v2/library/alpine/blobs/uploads/6b3c1f4e-8f5a-4a52-9d5e-2c4a7c1d9e10?_state=abc", Alice, r => r.Content = new ByteArrayContent(new byte[upload])))
        {
            Assert.Equal(HttpStatusCode.Accepted, patched.StatusCode);
        }

        using (var pulled = await edge.SendAsync(HttpMethod.Get, "/v2/library/alpine/blobs/sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", Alice))
        {
            Assert.Equal(download, (await pulled.Content.ReadAsByteArrayAsync()).Length);
        }

        using (var denied = await edge.SendAsync(HttpMethod.Put, "/v2/library/alpine/manifests/denied-7", null, r => r.Content = new ByteArrayContent(new byte[54_321])))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        }

        var bytes = measurements.Where(m => m.Instrument == "gateway.proxy.transferred").ToList();
        Assert.Contains(bytes, m => m.Value == upload && (string?)m.Tags["direction"] == "up" && (string?)m.Tags["route_class"] == "upload");
        Assert.Contains(bytes, m => m.Value == download && (string?)m.Tags["direction"] == "down" && (string?)m.Tags["route_class"] == "blob");
        Assert.DoesNotContain(bytes, m => m.Value == 54_321);

        var requests = measurements.Where(m => m.Instrument == "gateway.request.duration").ToList();
        Assert.Contains(requests, m => (string?)m.Tags["route_class"] == "upload" && (string?)m.Tags["http.request.method"] == "PATCH" && (int?)m.Tags["http.response.status_code"] == 202);
        Assert.Contains(requests, m => (string?)m.Tags["route_class"] == "manifest" && (string?)m.Tags["http.request.method"] == "PUT" && (int?)m.Tags["http.response.status_code"] == 401);
        Assert.All(measurements, m => Assert.All(m.Tags.Values, v => Assert.NotEqual(EdgeTestHost.User, v as string)));
    }

    private static Dictionary<string, object?> ToDictionary(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var result = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            result[tag.Key] = tag.Value;
        }

        return result;
    }
}
