using System.Globalization;
using System.Net;
using System.Text.Json;
using Gateway.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Gateway.EndToEnd.Tests.Observability;

/// <summary>JSON logs with trace ids and the audit event; the telemetry settings and how bad ones stop the start.</summary>
public sealed class LoggingAndSettingsTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task JsonLogs_AuditEventPerDecision_WithTraceIds_AndMetricsOnAManagementPort()
    {
        using var temp = TempDirectory.Create();
        var options = await NodeOptionsAsync(temp);
        var management = FreePort.Next();
        options = options with
        {
            MetricsPort = management,
            Environment = new Dictionary<string, string?> { ["Logging__Console__FormatterName"] = "json" },
        };
        await using var registry = await RegistryServer.StartAsync(temp);
        await using var node = await GatewayNode.StartAsync(options with { BackendUrls = [registry.BaseUrl.ToString().TrimEnd('/')] });
        using var http = node.CreateClient();
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/v2/otel/json/tags/list") { Headers = { Authorization = ObservabilityClusterFixture.Basic("alice", "not-her-password") } })
        using (var refused = await http.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using (var request = new HttpRequestMessage(HttpMethod.Get, "/v2/") { Headers = { Authorization = ObservabilityClusterFixture.Basic("alice", "alice-password") } })
        using (var allowed = await http.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        // Metrics moved to the management port: there, and not on the registry port.
        using (var scrape = await http.GetAsync(new Uri($"http://127.0.0.1:{management}/metrics")))
        {
            Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
            Assert.Contains("gateway_auth_decisions_total", await scrape.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var notHere = await http.GetAsync("/metrics"))
        {
            Assert.Equal(HttpStatusCode.NotFound, notHere.StatusCode);
        }

        // Not even when the request names the management port in its Host header: the port it came in on counts.
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Host = $"127.0.0.1:{management}" } })
        using (var spoofed = await http.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.NotFound, spoofed.StatusCode);
        }

        await node.WaitForLogAsync(l => l.Contains("\"Outcome\":\"allowed\"", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        output.WriteLine(node.Output);
        var events = node.Process.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.Clone()) // every line is one JSON object
            .ToList();
        var audit = events.Where(e => e.GetProperty("Category").GetString() == "Gateway.Audit").ToList();
        Assert.Equal(2, audit.Count);
        Assert.All(audit, e => Assert.Equal(1000, e.GetProperty("EventId").GetInt32()));

        var denied = audit.Single(e => e.GetProperty("State").GetProperty("Outcome").GetString() == "invalid_credentials");
        var state = denied.GetProperty("State");
        Assert.Equal("alice", state.GetProperty("User").GetString());
        Assert.Equal("127.0.0.1", state.GetProperty("Client").GetString());
        Assert.Equal("GET", state.GetProperty("Method").GetString());
        Assert.Equal("otel/json", state.GetProperty("Repository").GetString());
        Assert.Equal("pull", state.GetProperty("Actions").GetString());
        Assert.Equal("tags", state.GetProperty("Route").GetString());
        Assert.Equal("repository:otel/json:pull", state.GetProperty("Requested").GetString());
        Assert.False(string.IsNullOrEmpty(state.GetProperty("Reason").GetString()));
        Assert.Equal("Information", denied.GetProperty("LogLevel").GetString());

        // Trace and span ids on every line written inside a request.
        foreach (var e in audit)
        {
            var ids = e.GetProperty("Scopes").EnumerateArray().Single(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("TraceId", out _));
            Assert.Matches("^[0-9a-f]{32}$", ids.GetProperty("TraceId").GetString());
            Assert.Matches("^[0-9a-f]{16}$", ids.GetProperty("SpanId").GetString());
        }

        // What a reader of the log sees: ISO timestamps with nothing after the Z, no Polly line per grain placement,
        // no watchdog complaint at start-up measured from the machine's boot.
        Assert.All(events, e => Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", e.GetProperty("Timestamp").GetString()));
        Assert.DoesNotContain(events, e => e.GetProperty("Category").GetString()!.StartsWith("Polly", StringComparison.Ordinal) && e.GetProperty("LogLevel").GetString() == "Information");
        Assert.DoesNotContain("Participant check thread", node.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("not-her-password", node.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("alice-password", node.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("parentbased_always_on", null, true)]
    [InlineData("always_off", null, false)]
    [InlineData("parentbased_traceidratio", "0", false)]
    public async Task TracesSamplerVariables_AreHonoured(string sampler, string? argument, bool traced)
    {
        using var temp = TempDirectory.Create();
        await using var receiver = OtlpReceiver.Start();
        var environment = new Dictionary<string, string?>(receiver.ExporterEnvironment("sampler-test"))
        {
            ["OTEL_TRACES_SAMPLER"] = sampler,
            ["OTEL_TRACES_SAMPLER_ARG"] = argument,
        };
        await using var node = await GatewayNode.StartAsync(await NodeOptionsAsync(temp) with { Environment = environment }, waitUntilReady: false);
        using var http = node.CreateClient();
        await Poll.UntilAsync(
            async ct => (await http.GetAsync("/v2/", ct)).StatusCode == HttpStatusCode.Unauthorized,
            TimeSpan.FromSeconds(60),
            "the edge to answer",
            node.Process);
        for (var i = 0; i < 5; i++)
        {
            using var refused = await http.GetAsync("/v2/");
        }

        if (traced)
        {
            await receiver.WaitForSpansAsync(spans => spans.Any(s => s.Name == "registry.access"), TimeSpan.FromSeconds(10), "spans");
        }
        else
        {
            await Task.Delay(TimeSpan.FromSeconds(2)); // 10 batch periods
            Assert.DoesNotContain(receiver.Spans, s => s.Name == "registry.access");
        }
    }

    [Fact]
    public async Task MetricsPort_WithoutAnEndpointOfItsOwn_IsBoundByTheNode_AndZeroServesTheScrapeOnTheNodesPort()
    {
        using var temp = TempDirectory.Create();
        var metrics = FreePort.Next();

        // Only the setting, as in the image: the node adds the endpoint (every address) itself.
        var options = await NodeOptionsAsync(temp) with
        {
            MetricsPort = metrics,
            Environment = new Dictionary<string, string?> { ["Kestrel__Endpoints__Metrics__Url"] = null },
        };
        // No registry behind these nodes (never ready): "Gateway ready" says they listen.
        await using (var node = await GatewayNode.StartAsync(options, waitUntilReady: false))
        using (var http = node.CreateClient())
        {
            await node.WaitForLogAsync(l => l.Contains("Gateway ready", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            using var scrape = await http.GetAsync(new Uri($"http://127.0.0.1:{metrics}/metrics"));
            Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
            using var notHere = await http.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.NotFound, notHere.StatusCode);
        }

        // 0: no port of its own, the scrape answers on the node's endpoint.
        var onItsPort = await NodeOptionsAsync(temp) with
        {
            Environment = new Dictionary<string, string?> { ["Gateway__Telemetry__MetricsPort"] = "0", ["Kestrel__Endpoints__Metrics__Url"] = null },
        };
        await using (var node = await GatewayNode.StartAsync(onItsPort, waitUntilReady: false))
        using (var http = node.CreateClient())
        {
            await node.WaitForLogAsync(l => l.Contains("Gateway ready", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            using var scrape = await http.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        }
    }

    [Theory]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "jaeger:4317", "OTEL_EXPORTER_OTLP_ENDPOINT")]
    [InlineData("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json", "OTEL_EXPORTER_OTLP_PROTOCOL")]
    [InlineData("Gateway__Telemetry__MetricsPath", "metrics", "Gateway:Telemetry:MetricsPath")]
    [InlineData("Gateway__Telemetry__MetricsPort", "70000", "Gateway:Telemetry:MetricsPort")]
    [InlineData("Gateway__Telemetry__MetricsPort", "metrics", "Gateway:Telemetry:MetricsPort")]
    public async Task BadTelemetrySetting_StopsTheStart_WithExitCode2_NamingTheKey(string variable, string value, string named)
    {
        using var temp = TempDirectory.Create();
        var options = await NodeOptionsAsync(temp) with
        {
            Environment = new Dictionary<string, string?> { [variable] = value, ["OTEL_EXPORTER_OTLP_PROTOCOL"] = variable == "OTEL_EXPORTER_OTLP_PROTOCOL" ? value : null },
        };
        await using var node = await GatewayNode.StartAsync(options, waitUntilReady: false);
        var exited = await node.Process.WaitForExitAsync(ExitTimeout);
        output.WriteLine($"exit code {node.Process.ExitCode}; output:\n{node.Output}");
        Assert.True(exited, "still running");
        Assert.Equal(2, node.Process.ExitCode);
        Assert.Contains("Configuration error: ", node.Process.StandardError, StringComparison.Ordinal);
        Assert.Contains(named, node.Process.StandardError, StringComparison.Ordinal);
    }

    private static async Task<GatewayNodeOptions> NodeOptionsAsync(TempDirectory temp)
    {
        var htpasswd = temp.Combine("htpasswd");
        await Htpasswd.CreateAsync(htpasswd, Htpasswd.MinimumCost, ("alice", "alice-password"));
        return new GatewayNodeOptions
        {
            BackendUrls = [string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{FreePort.Next()}")],
            HtpasswdFile = htpasswd,
        };
    }
}
