using Gateway.Deploy.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Gateway.Deploy.Tests;

/// <summary>
/// observability/prometheus/rules: the alert rules load in Prometheus (<c>promtool check rules</c>), fire as their unit
/// tests say (<c>promtool test rules</c>), answer the questions an operator asks, and are what compose's Prometheus
/// loads. (That every metric they use exists on a live node is checked end to end, in DashboardTests.)
/// </summary>
public sealed class PrometheusRulesTests
{
    private const string Rules = "observability/prometheus/rules/gateway-alerts.yml";
    private const string RuleTests = "observability/prometheus/tests/gateway-alerts.test.yml";

    [RequiresToolFact("promtool", "prometheus")]
    public async Task Rules_PassPromtoolCheck_AndTheirUnitTests()
    {
        var (check, checkOutput) = await Tool.RunAsync("promtool", ["check", "rules", Repository.PathOf(Rules)]);
        Assert.True(check == 0, checkOutput);
        Assert.Contains("SUCCESS", checkOutput, StringComparison.Ordinal);

        var (test, testOutput) = await Tool.RunAsync("promtool", ["test", "rules", Repository.PathOf(RuleTests)]);
        Assert.True(test == 0, testOutput);
        Assert.Contains("SUCCESS", testOutput, StringComparison.Ordinal);
    }

    [RequiresToolFact("promtool", "prometheus")]
    public async Task PrometheusConfig_PassesPromtool_AndLoadsTheRules()
    {
        var (exitCode, output) = await Tool.RunAsync("promtool", ["check", "config", Repository.PathOf("observability/prometheus/prometheus.yml")]);
        Assert.True(exitCode == 0, output);
        Assert.Contains("gateway-alerts.yml", output, StringComparison.Ordinal); // the glob found the rules file
    }

    [Fact]
    public void Rules_AlertOnBackendErrors503sGrainLatencyLockoutsAndCertificateExpiry()
    {
        var expressions = AlertExpressions(Yaml.LoadMapping(Repository.Read(Rules)));
        foreach (var metric in new[]
        {
            "gateway_backend_errors_total",
            "gateway_request_duration_seconds_count{http_response_status_code=\"503\"}",
            "gateway_grain_call_duration_seconds_bucket",
            "gateway_lockouts_total",
            "gateway_certificate_expiry_timestamp_seconds",
            "gateway_dependency_up",
        })
        {
            Assert.Contains(expressions.Values, e => e.Contains(metric, StringComparison.Ordinal));
        }

        Assert.All(expressions.Keys, name => Assert.Matches("^[A-Z][A-Za-z0-9]+$", name));
    }

    /// <summary>alert name → expression, over every group.</summary>
    public static Dictionary<string, string> AlertExpressions(YamlMappingNode rules) =>
        rules.Items("groups")
            .SelectMany(g => g.Items("rules"))
            .Where(r => r.Text("alert") is not null)
            .ToDictionary(r => r.Text("alert")!, r => r.Text("expr")!);
}
