using System.Net;
using Gateway.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Gateway.EndToEnd.Tests.Observability;

/// <summary>The Prometheus endpoints of an edge and a silo, and how their values move with requests.</summary>
[Collection(ObservabilityCollection.Name)]
public sealed class MetricsTests(ObservabilityClusterFixture cluster, ITestOutputHelper output)
{
    private const string Decisions = "gateway_auth_decisions_total";
    private const string Lookups = "gateway_auth_cache_lookups_total";
    private const string Transferred = "gateway_proxy_transferred_bytes_total";
    private const string Requests = "gateway_request_duration_seconds_count";

    [Fact]
    public async Task EdgeScrape_CountsDecisionsCacheHitsRequestsAndBytes_AsTheRequestsDid()
    {
        using var http = cluster.CreateEdgeClient();
        const string user = ObservabilityClusterFixture.User;
        const string password = ObservabilityClusterFixture.Password;
        Assert.Equal(HttpStatusCode.OK, await TrafficDriver.GetAsync(http, "/v2/", user, password)); // now cached, whatever ran before
        var before = await PrometheusText.ScrapeAsync(cluster.Edge);

        Assert.Equal(HttpStatusCode.Unauthorized, await TrafficDriver.GetAsync(http, "/v2/", "otel-stranger", "guess"));
        Assert.Equal(HttpStatusCode.Unauthorized, await TrafficDriver.GetAsync(http, "/v2/", null, null));
        Assert.Equal(HttpStatusCode.OK, await TrafficDriver.GetAsync(http, "/v2/", user, password));
        Assert.Equal(HttpStatusCode.OK, await TrafficDriver.GetAsync(http, "/v2/", user, password));
        var blob = new byte[2 * 1024 * 1024 + 17];
        Random.Shared.NextBytes(blob);
        var digest = await TrafficDriver.UploadBlobAsync(http, "otel/metrics", blob);
        Assert.Equal(HttpStatusCode.OK, await TrafficDriver.GetAsync(http, $"/v2/otel/metrics/blobs/{digest}", user, password));

        var after = await PrometheusText.ScrapeAsync(cluster.Edge);
        double Delta(string name, params string[] labels) => after.Sum(name, labels) - before.Sum(name, labels);

        Assert.Equal(1, Delta(Decisions, "outcome=\"invalid_credentials\""));
        Assert.Equal(1, Delta(Decisions, "outcome=\"unauthenticated\""));
        Assert.Equal(5, Delta(Decisions, "outcome=\"allowed\"")); // 2 × /v2/, POST, PUT, GET blob
        Assert.True(Delta(Lookups, "result=\"hit\"") >= 5, $"cache hits +{Delta(Lookups, "result=\"hit\"")}");
        Assert.Equal(1, Delta(Lookups, "result=\"miss\"")); // the stranger's wrong password ran bcrypt
        Assert.Equal(1, Delta("gateway_auth_bcrypt_verifications_total", "result=\"failure\""));

        Assert.True(Delta(Transferred, "direction=\"up\"", "route_class=\"upload\"") >= blob.Length, "bytes up");
        Assert.True(Delta(Transferred, "direction=\"down\"", "route_class=\"blob\"") >= blob.Length, "bytes down");
        Assert.Equal(1, Delta(Requests, "route_class=\"upload\"", "http_request_method=\"PUT\"", "http_response_status_code=\"201\""));
        Assert.Equal(1, Delta(Requests, "route_class=\"upload\"", "http_request_method=\"POST\"", "http_response_status_code=\"202\""));
        Assert.Equal(1, Delta(Requests, "route_class=\"blob\"", "http_request_method=\"GET\"", "http_response_status_code=\"200\""));
        Assert.Equal(2, Delta(Requests, "route_class=\"base\"", "http_response_status_code=\"401\""));
        Assert.True(Delta("gateway_grain_call_duration_seconds_count", "method=\"IUserGrain.CheckAsync\"", "result=\"ok\"") >= 6);
        Assert.True(Delta("http_server_request_duration_seconds_count") >= 7);
        Assert.True(Delta("http_client_request_duration_seconds_count") >= 5);
        Assert.True(after.Sum("dotnet_gc_heap_total_allocated_bytes_total") > 0);

        // Labels carry classes, never who or from where.
        Assert.DoesNotContain(user, after.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("otel-stranger", after.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("otel/metrics", after.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(digest, after.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LocksLimitsAndBackendFailures_AreCounted()
    {
        using var http = cluster.CreateEdgeClient();
        var before = await PrometheusText.ScrapeAsync(cluster.Edge);

        Assert.Equal(HttpStatusCode.SeeOther, await TrafficDriver.LockOutAsync(http)); // a locked login check
        Assert.Equal(HttpStatusCode.TooManyRequests, await TrafficDriver.ExceedPullLimitAsync(http));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await TrafficDriver.BackendFailureAsync(http, cluster.Hop));

        var after = await PrometheusText.ScrapeAsync(cluster.Edge);
        var silo = await PrometheusText.ScrapeAsync(cluster.Silo);
        double Delta(string name, params string[] labels) => after.Sum(name, labels) - before.Sum(name, labels);
        output.WriteLine(string.Join('\n', after.Series.Where(s => s.Name.StartsWith("gateway_", StringComparison.Ordinal) && !s.Name.EndsWith("_bucket", StringComparison.Ordinal))));

        Assert.Equal(1, Delta(Decisions, "outcome=\"locked\""));
        Assert.True(Delta(Decisions, "outcome=\"rate_limited\"") >= 1, "rate_limited");
        Assert.True(Delta("gateway_ratelimit_rejections_total", "limit=\"pulls\"") >= 1, "pull limit rejections");
        Assert.True(after.Sum("gateway_lockouts_total") + silo.Sum("gateway_lockouts_total") >= 1, "gateway_lockouts_total");
        Assert.True(Delta("gateway_backend_errors_total") >= 1, "gateway_backend_errors_total");
        Assert.True(Delta(Decisions, "outcome=\"unavailable\"") == 0, "a backend failure is not an access decision");
    }

    [Fact]
    public async Task EveryRole_ServesPrometheusText_WithRuntimeMetrics_AndItsRole()
    {
        foreach (var (node, role) in new[] { (cluster.Edge, "edge"), (cluster.Silo, "silo") })
        {
            var scrape = await PrometheusText.ScrapeAsync(node);
            Assert.Contains("dotnet_gc_collections_total", scrape.Names);
            Assert.Contains("dotnet_process_cpu_time_seconds_total", scrape.Names);
            Assert.Contains("dotnet_process_memory_working_set_bytes", scrape.Names);
            Assert.Contains(scrape.Series, s => s.Name == "target_info" && s.Labels.Contains($"gateway_role=\"{role}\"", StringComparison.Ordinal));
        }

        // The scrape is not cached: two scrapes in a row see a request made between them.
        using var http = cluster.CreateEdgeClient();
        var first = await PrometheusText.ScrapeAsync(cluster.Edge);
        await TrafficDriver.GetAsync(http, "/v2/", null, null);
        var second = await PrometheusText.ScrapeAsync(cluster.Edge);
        Assert.Equal(1, second.Sum(Decisions, "outcome=\"unauthenticated\"") - first.Sum(Decisions, "outcome=\"unauthenticated\""));
    }
}
