using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Gateway.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Gateway.EndToEnd.Tests.Observability;

/// <summary>
/// One trace per request across processes: the edge's server span, the access decision, the grain call as client
/// (edge) and server (silo) spans, the proxied request, and the <c>traceparent</c> the registry received; and nothing
/// secret in anything exported.
/// </summary>
[Collection(ObservabilityCollection.Name)]
public sealed partial class TracingTests(ObservabilityClusterFixture cluster, ITestOutputHelper output)
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public async Task SkopeoPush_EachRequestIsOneTrace_EdgeGrainSiloAndRegistry_ParentedCorrectly()
    {
        using var temp = TempDirectory.Create();
        var image = await TestImages.CreateOciLayoutAsync(temp.Combine("src"), "v1", 1 * MiB, 4096);
        var skopeo = Skopeo.Create(temp);
        var access = new SkopeoAccess(ObservabilityClusterFixture.User, ObservabilityClusterFixture.Password, cluster.Pki.CertDirectory);

        (await skopeo.CopyAsync(image.Reference, $"docker://{cluster.Edge.HostPort}/otel/push:v1", access, "--preserve-digests")).EnsureSuccess();

        // The manifest PUT as the registry received it, and the trace context it carried.
        var put = cluster.Hop.Requests.Last(r => r.Method == "PUT" && r.Target == "/v2/otel/push/manifests/v1");
        var traceparent = put["traceparent"];
        Assert.NotNull(traceparent);
        var match = TraceParent().Match(traceparent);
        Assert.True(match.Success, $"traceparent '{traceparent}'");
        var (traceId, proxySpanId) = (match.Groups[1].Value, match.Groups[2].Value);
        Assert.Equal("01", match.Groups[3].Value); // sampled: 100 % by default

        List<ReceivedSpan> trace = [];
        await cluster.Receiver.WaitForSpansAsync(
            spans =>
            {
                trace = [.. spans.Where(s => s.TraceId == traceId)];
                return trace.Any(s => s.Role == "silo") && trace.Any(s => s.SpanId == proxySpanId) && trace.Any(s => s.Kind == ReceivedSpan.KindServer && s.Role == "edge");
            },
            TimeSpan.FromSeconds(20),
            $"the spans of trace {traceId}");
        foreach (var span in trace)
        {
            output.WriteLine($"{span}\n    {string.Join(", ", span.Attributes.Select(a => $"{a.Key}={(a.Value is object?[] items ? "[" + string.Join(",", items) + "]" : a.Value)}"))}");
        }

        var server = Assert.Single(trace, s => s.Kind == ReceivedSpan.KindServer && s.Scope == "Microsoft.AspNetCore");
        Assert.Equal("edge", server.Role);
        Assert.Equal(string.Empty, server.ParentSpanId); // skopeo sends no trace context: the edge starts the trace
        Assert.Equal("PUT", server["http.request.method"]);
        Assert.Equal("/v2/otel/push/manifests/v1", server["url.path"]);
        Assert.Equal("201", server["http.response.status_code"]);

        var decision = Assert.Single(trace, s => s.Name == "registry.access");
        Assert.Equal("Gateway.Edge", decision.Scope);
        Assert.Equal(ReceivedSpan.KindInternal, decision.Kind);
        Assert.Equal(server.SpanId, decision.ParentSpanId);
        Assert.Equal("otel/push", decision["registry.repository"]);
        Assert.Contains("push", Assert.IsType<object?[]>(decision.Attributes["registry.actions"]));
        Assert.Equal(ObservabilityClusterFixture.User, decision["enduser.id"]);
        Assert.Equal("allowed", decision["gateway.auth.outcome"]);
        Assert.Contains(decision["gateway.auth.cache"], new[] { "hit", "miss", "coalesced" });
        Assert.Equal("127.0.0.1", decision["client.address"]);

        var grainClient = Assert.Single(trace, s => s.Scope == "Microsoft.Orleans.Application" && s.Kind == ReceivedSpan.KindClient);
        Assert.Equal("edge", grainClient.Role);
        Assert.Equal(decision.SpanId, grainClient.ParentSpanId);
        Assert.Contains("CheckAsync", grainClient.Name, StringComparison.Ordinal);

        var grainServer = Assert.Single(trace, s => s.Scope == "Microsoft.Orleans.Application" && s.Kind == ReceivedSpan.KindServer);
        Assert.Equal("silo", grainServer.Role);
        Assert.Equal(grainClient.SpanId, grainServer.ParentSpanId);
        Assert.NotEqual(server.Instance, grainServer.Instance); // another process
        Assert.Equal(ObservabilityClusterFixture.ServiceName, grainServer.Resource["service.name"]);

        var proxy = Assert.Single(trace, s => s.SpanId == proxySpanId);
        Assert.Equal("System.Net.Http", proxy.Scope);
        Assert.Equal(ReceivedSpan.KindClient, proxy.Kind);
        Assert.Equal("edge", proxy.Role);
        Assert.Equal(server.SpanId, proxy.ParentSpanId);
        Assert.Equal("PUT", proxy["http.request.method"]);
        Assert.Equal("201", proxy["http.response.status_code"]);

        // Every span of the trace hangs off the edge's server span.
        var ids = trace.Select(s => s.SpanId).ToHashSet();
        Assert.All(trace.Where(s => s != server), s => Assert.Contains(s.ParentSpanId, ids));

        // The console log lines of the decision carry the same trace id.
        Assert.Contains(cluster.Edge.Process.Lines, l => l.Contains("Gateway.Audit", StringComparison.Ordinal) && l.Contains(traceId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task FirstRequestOfAUser_TracesTheBcryptVerification_UnderTheDecision()
    {
        // A user of its own that no request used before, so that the credential is not cached yet.
        const string user = ObservabilityClusterFixture.BcryptUser;
        using var http = cluster.CreateEdgeClient();
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, user, ObservabilityClusterFixture.BcryptPassword));

        List<ReceivedSpan> all = [];
        await cluster.Receiver.WaitForSpansAsync(
            spans => (all = [.. spans]).Any(s => s.Name == "gateway.bcrypt.verify" && all.Any(d => d.SpanId == s.ParentSpanId && d["enduser.id"] == user)),
            TimeSpan.FromSeconds(20),
            "a bcrypt span under the new user's decision");
        var bcrypt = all.First(s => s.Name == "gateway.bcrypt.verify" && all.Any(d => d.SpanId == s.ParentSpanId && d["enduser.id"] == user && d["gateway.auth.outcome"] == "allowed"));
        output.WriteLine(bcrypt.ToString());
        Assert.Equal("Gateway.Edge", bcrypt.Scope);
        Assert.Equal(ReceivedSpan.KindInternal, bcrypt.Kind);
        Assert.Equal("6", bcrypt["gateway.bcrypt.cost"]);
        Assert.Equal("success", bcrypt["gateway.bcrypt.result"]);
        Assert.Equal("miss", all.Single(d => d.SpanId == bcrypt.ParentSpanId)["gateway.auth.cache"]);
    }

    [Fact]
    public async Task ExportedData_HoldsNoCredentialNoAuthorizationHeaderNoTokenAndNoSecret()
    {
        using var http = cluster.CreateEdgeClient();
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, ObservabilityClusterFixture.User, ObservabilityClusterFixture.Password));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(http, ObservabilityClusterFixture.User, "Wr0ng-" + ObservabilityClusterFixture.Password));
        using (var malformed = new HttpRequestMessage(HttpMethod.Get, "/v2/"))
        {
            malformed.Headers.TryAddWithoutValidation("Authorization", "Basic bm90LWEtcGFpcg==");
            using var answer = await http.SendAsync(malformed);
            Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        }

        // A chunked upload: its Location carries the registry's _state token, which must not be exported either.
        var states = new List<string>();
        using (var start = new HttpRequestMessage(HttpMethod.Post, "/v2/otel/secrets/blobs/uploads/") { Headers = { Authorization = ObservabilityClusterFixture.Basic(ObservabilityClusterFixture.User, ObservabilityClusterFixture.Password) } })
        {
            using var started = await http.SendAsync(start);
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
            var location = started.Headers.Location!;
            states.Add(UploadState().Match(location.ToString()).Groups[1].Value);
            using var patch = new HttpRequestMessage(HttpMethod.Patch, location) { Content = new ByteArrayContent(new byte[1000]), Headers = { Authorization = ObservabilityClusterFixture.Basic(ObservabilityClusterFixture.User, ObservabilityClusterFixture.Password) } };
            using var patched = await http.SendAsync(patch);
            Assert.Equal(HttpStatusCode.Accepted, patched.StatusCode);
            states.Add(UploadState().Match(patched.Headers.Location!.ToString()).Groups[1].Value);
        }

        // Let the batches (200 ms) and the metric export (1 s) go out.
        Assert.All(states, s => Assert.True(s.Length > 20, $"_state '{s}'"));
        await cluster.Receiver.WaitForSpansAsync(spans => spans.Any(s => s.Kind == ReceivedSpan.KindServer && s["http.request.method"] == "PATCH"), TimeSpan.FromSeconds(20), "the PATCH's server span");
        await Task.Delay(TimeSpan.FromSeconds(2));

        var received = cluster.Receiver.Requests;
        Assert.Contains(received, r => r.Path == "/v1/traces");
        Assert.Contains(received, r => r.Path == "/v1/metrics");
        Assert.Contains(received, r => r.Path == "/v1/logs");
        Assert.Empty(cluster.Receiver.Errors);
        output.WriteLine($"{received.Count} OTLP requests, {received.Sum(r => r.Body.Length)} bytes; {cluster.Receiver.Spans.Count} spans");

        var texts = received.Select(r => (r.Path, Text: Encoding.Latin1.GetString(r.Body)))
            .Append(("edge console", cluster.Edge.Output))
            .Append(("silo console", cluster.Silo.Output));
        string[] secrets =
        [
            ObservabilityClusterFixture.Password,
            "Wr0ng-" + ObservabilityClusterFixture.Password,
            ObservabilityClusterFixture.LockoutPassword,
            ObservabilityClusterFixture.LimitedPassword,
            ObservabilityClusterFixture.BcryptPassword,
            cluster.Template.Secret,
        ];
        foreach (var (where, text) in texts)
        {
            foreach (var secret in secrets)
            {
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{where} holds a password or the cluster secret");
            }

            // "Basic <base64 of user:password>" in any form.
            foreach (Match basic in BasicCredential().Matches(text))
            {
                Assert.False(DecodesToCredential(basic.Groups[1].Value), $"{where} holds a Basic credential: {basic.Value}");
            }

            foreach (var state in states)
            {
                Assert.False(text.Contains(state, StringComparison.Ordinal), $"{where} holds an upload _state token");
            }

            foreach (Match state in UploadState().Matches(text))
            {
                var value = state.Groups[1].Value;
                Assert.True(value.Length == 0 || value.StartsWith("Redacted", StringComparison.Ordinal) || value.StartsWith('*'), $"{where} holds an upload _state token: {state.Value}");
            }
        }

        foreach (var span in cluster.Receiver.Spans)
        {
            Assert.DoesNotContain(span.Attributes.Keys, k => k.Contains("authorization", StringComparison.OrdinalIgnoreCase) || k.Contains("password", StringComparison.OrdinalIgnoreCase) || k.Contains("fingerprint", StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain(span.Attributes.Values.OfType<string>(), v => v.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase));
        }
    }

    [Fact]
    public void ProbesScrapesAndBackendHealthChecks_AreNotTraced()
    {
        // The nodes have been probed (/healthz/ready) since they started, and YARP probes the registry every few seconds.
        var spans = cluster.Receiver.Spans;
        Assert.DoesNotContain(spans, s => (s["url.path"] ?? string.Empty).StartsWith("/healthz", StringComparison.Ordinal));
        Assert.DoesNotContain(spans, s => (s["url.path"] ?? string.Empty).StartsWith("/metrics", StringComparison.Ordinal));
        Assert.All(spans.Where(s => s.Scope == "System.Net.Http"), s => Assert.NotEqual(string.Empty, s.ParentSpanId));
        Assert.DoesNotContain(spans, s => s.Scope == "Microsoft.Orleans.Runtime");
        Assert.DoesNotContain(spans, s => s.Name.Contains("IHealthGrain", StringComparison.Ordinal)); // the edge's readiness check
        Assert.All(spans.Where(s => s.Role == "silo"), s => Assert.NotEqual(string.Empty, s.ParentSpanId)); // no trace starts in a silo
    }

    private static bool DecodesToCredential(string base64)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(base64)).Contains(':', StringComparison.Ordinal);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient http, string user, string password)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/") { Headers = { Authorization = ObservabilityClusterFixture.Basic(user, password) } };
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    [GeneratedRegex("^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")]
    private static partial Regex TraceParent();

    [GeneratedRegex(@"Basic\s+([A-Za-z0-9+/]{4,}={0,2})")]
    private static partial Regex BasicCredential();

    [GeneratedRegex(@"_state=([^&\s""\\]*)")]
    private static partial Regex UploadState();
}
