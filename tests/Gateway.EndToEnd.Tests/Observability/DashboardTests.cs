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

    [Fact]
    public async Task Dashboard_Parses_AndEveryMetricItQueries_IsOnALiveScrapeEndpoint()
    {
        var queries = DashboardQueries();
        Assert.NotEmpty(queries);
        var metrics = queries.SelectMany(MetricNames).ToHashSet(StringComparer.Ordinal);
        output.WriteLine(string.Join('\n', metrics.Order(StringComparer.Ordinal)));
        foreach (var expected in new[] { "gateway_request_duration_seconds_count", "gateway_auth_decisions_total", "gateway_auth_cache_lookups_total", "gateway_proxy_transferred_bytes_total", "gateway_lockouts_total", "gateway_ratelimit_rejections_total", "gateway_grain_call_duration_seconds_bucket", "dotnet_process_cpu_time_seconds_total" })
        {
            Assert.Contains(expected, metrics); // the questions the dashboard is for
        }

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

        var exposed = (await PrometheusText.ScrapeAsync(cluster.Edge)).Names.Union((await PrometheusText.ScrapeAsync(cluster.Silo)).Names).ToHashSet(StringComparer.Ordinal);
        var missing = metrics.Where(m => !exposed.Contains(m)).ToList();
        Assert.True(missing.Count == 0, "the dashboard queries metrics no node exposes: " + string.Join(", ", missing));
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
        Assert.Contains("port: 8080", text, StringComparison.Ordinal);
    }

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

    [GeneratedRegex(@"\b(?:gateway|http|dotnet|kestrel|aspnetcore|dns|process|orleans)_[a-zA-Z0-9_:]+\b")]
    private static partial Regex MetricName();
}
