using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gateway.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Gateway.EndToEnd.Tests.Observability;

/// <summary>
/// What compose mounts from observability/: the Grafana dashboard parses and queries only metrics that a live node
/// exposes (so it cannot rot), and the Prometheus configuration passes <c>promtool check config</c>.
/// </summary>
[Collection(ObservabilityCollection.Name)]
public sealed partial class DashboardTests(ObservabilityClusterFixture cluster, ITestOutputHelper output)
{
    private static string Observability => Path.Combine(GatewayBuild.RepositoryRoot, "observability");

    /// <summary>Series a live node exports only after a failure this fixture does not provoke: a grain call that throws.</summary>
    private static readonly string[] OnlyAfterAFailure = ["gateway_cluster_call_failures_total", "gateway_redis_replication_unconfirmed_total"];

    [Fact]
    public async Task DashboardAndAlertRules_Parse_AndEveryMetricTheyQuery_IsOnALiveScrapeEndpoint()
    {
        var queries = DashboardQueries();
        Assert.NotEmpty(queries);
        var metrics = queries.SelectMany(MetricNames).ToHashSet(StringComparer.Ordinal);
        output.WriteLine(string.Join('\n', metrics.Order(StringComparer.Ordinal)));
        foreach (var expected in new[] { "gateway_request_duration_seconds_count", "gateway_auth_decisions_total", "gateway_auth_cache_lookups_total", "gateway_proxy_transferred_bytes_total", "gateway_lockouts_total", "gateway_ratelimit_rejections_total", "gateway_grain_call_duration_seconds_bucket", "dotnet_process_cpu_time_seconds_total", "gateway_token_requests_total", "gateway_request_duration_seconds_bucket", "haproxy_backend_current_queue", "gateway_dependency_up", "gateway_certificate_expiry_timestamp_seconds" })
        {
            Assert.Contains(expected, metrics); // the questions the dashboard is for
        }

        // The alert rules (compose's and, identical, the PrometheusRule's) are held to the same standard.
        var rules = RuleExpressions();
        Assert.NotEmpty(rules);
        var ruleMetrics = rules.SelectMany(MetricNames).ToHashSet(StringComparer.Ordinal);
        output.WriteLine("rules: " + string.Join(' ', ruleMetrics.Order(StringComparer.Ordinal)));
        metrics.UnionWith(ruleMetrics.Except(OnlyAfterAFailure));

        // Make every instrument record at least once (an instrument that never recorded is not exported).
        using var http = cluster.CreateEdgeClient();
        await TrafficDriver.GetAsync(http, "/v2/", null, null);
        await TrafficDriver.GetAsync(http, "/v2/", ObservabilityClusterFixture.User, ObservabilityClusterFixture.Password);
        var blob = new byte[4096];
        Random.Shared.NextBytes(blob);
        var digest = await TrafficDriver.UploadBlobAsync(http, "otel/dashboard", blob);
        await TrafficDriver.GetAsync(http, $"/v2/otel/dashboard/blobs/{digest}", ObservabilityClusterFixture.User, ObservabilityClusterFixture.Password);
        Assert.Equal(HttpStatusCode.SeeOther, await TrafficDriver.LockOutAsync(http)); // a locked login check
        Assert.Equal(HttpStatusCode.TooManyRequests, await TrafficDriver.ExceedPullLimitAsync(http));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await TrafficDriver.BackendFailureAsync(http, cluster.Hop));
        using (var tokenRequest = new HttpRequestMessage(HttpMethod.Get, $"/token?service={ObservabilityClusterFixture.TokenService}&scope=repository:otel/dashboard:pull"))
        {
            tokenRequest.Headers.Authorization = ObservabilityClusterFixture.Basic(ObservabilityClusterFixture.User, ObservabilityClusterFixture.Password);
            using var token = await http.SendAsync(tokenRequest);
            Assert.Equal(HttpStatusCode.OK, token.StatusCode);
        }

        // HAProxy's own exporter, as compose and the local cluster run it (deploy/haproxy/local.cfg), for its panels.
        await using var haproxy = await HaproxyServer.StartAsync(cluster.Temp, cluster.Pki.ServerCertificatePath, cluster.Pki.ServerKeyPath, [new HaproxyBackendServer("edge-1", cluster.Edge.Port)]);
        using var stats = TestHttp.CreateClient(new Uri($"http://127.0.0.1:{haproxy.StatsPort}/"));
        var haproxyNames = PrometheusText.Parse(await stats.GetStringAsync("metrics")).Names;

        var exposed = (await PrometheusText.ScrapeAsync(cluster.Edge)).Names
            .Union((await PrometheusText.ScrapeAsync(cluster.Silo)).Names)
            .Union(haproxyNames)
            .ToHashSet(StringComparer.Ordinal);
        var missing = metrics.Where(m => !exposed.Contains(m)).ToList();
        Assert.True(missing.Count == 0, "the dashboard or the alert rules query metrics no node exposes: " + string.Join(", ", missing));
    }

    [Fact]
    public void Dashboard_SplitsFirstChallengesFromRefusals_AndItsLatencyBucketsReachTheTransferLimit()
    {
        var queries = DashboardQueries();
        var refused = Assert.Single(queries, q => q.Contains("invalid_credentials", StringComparison.Ordinal));
        Assert.DoesNotContain("unauthenticated", refused, StringComparison.Ordinal);   // a first 401 challenge is not a refusal
        Assert.DoesNotContain("outcome!=\"allowed\"", refused, StringComparison.Ordinal);
        Assert.Contains(queries, q => q.Contains("outcome=\"unauthenticated\"", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.Contains("by (le, http_request_method)", StringComparison.Ordinal));
    }

    [Fact]
    public void Dashboard_IsProvisionable_AndPanelsUseTheProvisionedPrometheus()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(Observability, "grafana", "dashboards", "gateway.json")));
        var root = dashboard.RootElement;
        Assert.Equal("registry-gateway", root.GetProperty("uid").GetString());
        var panels = root.GetProperty("panels").EnumerateArray().Where(p => p.GetProperty("type").GetString() != "row").ToList();
        Assert.True(panels.Count >= 15, $"{panels.Count} panels");
        Assert.Equal(panels.Count, panels.Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
        foreach (var panel in panels)
        {
            Assert.Equal("prometheus", panel.GetProperty("datasource").GetProperty("uid").GetString());
            Assert.NotEmpty(panel.GetProperty("targets").EnumerateArray());
        }

        var datasources = File.ReadAllText(Path.Combine(Observability, "grafana", "provisioning", "datasources", "datasources.yml"));
        Assert.Contains("uid: prometheus", datasources, StringComparison.Ordinal);
        Assert.Contains("url: http://prometheus:9090", datasources, StringComparison.Ordinal);
        var providers = File.ReadAllText(Path.Combine(Observability, "grafana", "provisioning", "dashboards", "dashboards.yml"));
        Assert.Contains("path: /var/lib/grafana/dashboards", providers, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrometheusConfig_PassesPromtool_AndScrapesEdgesAndSilos()
    {
        var config = Path.Combine(Observability, "prometheus", "prometheus.yml");
        var check = await CommandRunner.RunAsync("promtool", "check", "config", config);
        output.WriteLine(check.Output);
        Assert.True(check.Succeeded, check.Output);

        var text = File.ReadAllText(config);
        Assert.Contains("job_name: edge", text, StringComparison.Ordinal);
        Assert.Contains("job_name: silo", text, StringComparison.Ordinal);
        Assert.Contains("port: 9464", text, StringComparison.Ordinal); // the metrics port, not the clients'
    }

    [Fact]
    public async Task RequestDurationBuckets_OnALiveEdge_ReachFifteenMinutes()
    {
        // A transfer may stream for many minutes; with a last bucket at 300 s every long one was "+Inf".
        using (var http = cluster.CreateEdgeClient())
        {
            await TrafficDriver.GetAsync(http, "/v2/", ObservabilityClusterFixture.User, ObservabilityClusterFixture.Password);
        }

        var scrape = await PrometheusText.ScrapeAsync(cluster.Edge);
        var bounds = scrape.Series
            .Where(s => s.Name == "gateway_request_duration_seconds_bucket")
            .Select(s => LeBound().Match(s.Labels).Groups[1].Value)
            .Where(v => v != "+Inf" && v.Length > 0)
            .Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture))
            .ToHashSet();
        Assert.Contains(900, bounds);
        Assert.Contains(3600, bounds);
    }

    /// <summary>Every alert expression of observability/prometheus/rules.</summary>
    private static List<string> RuleExpressions() =>
        Directory.GetFiles(Path.Combine(Observability, "prometheus", "rules"), "*.yml")
            .SelectMany(file => ExprLine().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value))
            .ToList();

    [GeneratedRegex("(?ms)^\\s+expr: (?:\\|\\n)?(.*?)(?=^\\s+(?:for|labels|annotations):)")]
    private static partial Regex ExprLine();

    [GeneratedRegex("le=\"([^\"]*)\"")]
    private static partial Regex LeBound();

    /// <summary>Every PromQL expression in the dashboard (panel targets and template variables).</summary>
    private static List<string> DashboardQueries()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(Observability, "grafana", "dashboards", "gateway.json")));
        var queries = new List<string>();
        Collect(dashboard.RootElement, queries);
        return queries;

        static void Collect(JsonElement element, List<string> into)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        if (property.Name is "expr" or "definition" && property.Value.ValueKind == JsonValueKind.String)
                        {
                            into.Add(property.Value.GetString()!);
                        }
                        else
                        {
                            Collect(property.Value, into);
                        }
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        Collect(item, into);
                    }

                    break;
            }
        }
    }

    /// <summary>The metric names in a PromQL expression: label matchers, grouping labels and strings removed first.</summary>
    private static IEnumerable<string> MetricNames(string expression)
    {
        var stripped = QuotedString().Replace(expression, "\"\"");
        stripped = Selector().Replace(stripped, "{}");
        stripped = Grouping().Replace(stripped, " ");
        stripped = LabelValuesLabel().Replace(stripped, ")");
        return MetricName().Matches(stripped).Select(m => m.Value);
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex QuotedString();

    [GeneratedRegex(@"\{[^{}]*\}")]
    private static partial Regex Selector();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@",\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)")]
    private static partial Regex LabelValuesLabel();

    [GeneratedRegex(@"\b(?:gateway|http|dotnet|kestrel|aspnetcore|dns|process|orleans|haproxy)_[a-zA-Z0-9_:]+\b")]
    private static partial Regex MetricName();
}
