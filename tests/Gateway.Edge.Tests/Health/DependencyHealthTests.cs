using System.Diagnostics.Metrics;
using Gateway.Edge.Health;
using Gateway.Edge.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Edge.Tests.Health;

/// <summary>
/// Readiness from cached state: a probe reads the last background checks (no call of its own), tolerates failures
/// for <see cref="HealthOptions.UnreadyAfter"/>, and the checks' results are the gauge <c>gateway.dependency.up</c>.
/// </summary>
public sealed class DependencyHealthTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ReadinessCheck_BeforeTheFirstSuccess_IsUnhealthy()
    {
        var (check, _, _) = Create("registry");

        var result = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("not checked yet", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadinessCheck_FailingChecks_StaysReadyForUnreadyAfter_ThenNot()
    {
        var (check, health, time) = Create("cluster");
        health.Cluster.Record(true, "grain call answered by S1", time.GetUtcNow());

        time.Advance(TimeSpan.FromSeconds(2));
        health.Cluster.Record(false, "grain call failed: TimeoutException", time.GetUtcNow());
        time.Advance(TimeSpan.FromSeconds(8)); // 10 s since the last success: still within UnreadyAfter
        var tolerated = await check.CheckHealthAsync(new HealthCheckContext());
        time.Advance(TimeSpan.FromMilliseconds(1));
        var unready = await check.CheckHealthAsync(new HealthCheckContext());
        health.Cluster.Record(true, "grain call answered by S2", time.GetUtcNow());
        var back = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Healthy, tolerated.Status);
        Assert.Equal(HealthStatus.Unhealthy, unready.Status);
        Assert.Contains("TimeoutException", unready.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Healthy, back.Status);
    }

    [Fact]
    public void Gauge_ReportsTheLastCheckOfEachDependency()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var health = new DependencyHealth(services.GetRequiredService<IMeterFactory>());
        health.Cluster.Record(true, "ok", T0);
        health.Registry.Record(false, "refused", T0);
        var seen = new Dictionary<string, int>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "gateway.dependency.up")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<int>((_, value, tags, _) => seen[(string)tags.ToArray().Single(t => t.Key == "dependency").Value!] = value);
        listener.Start();

        listener.RecordObservableInstruments();

        Assert.Equal(1, seen["cluster"]);
        Assert.Equal(0, seen["registry"]);
    }

    [Fact]
    public async Task Monitor_OnARealEdge_FindsTheRegistryUp_AndNoClusterWithoutOrleans()
    {
        await using var edge = await EdgeTestHost.StartAsync();
        var health = edge.Services.GetRequiredService<DependencyHealth>();

        for (var i = 0; i < 100 && !health.Registry.Up; i++)
        {
            await Task.Delay(50);
        }

        Assert.True(health.Registry.Up);
        Assert.False(health.Cluster.Up);
        Assert.Empty(edge.Backend.Received); // the checks are not client traffic
    }

    private static (DependencyReadinessCheck Check, DependencyHealth Health, FakeTimeProvider Time) Create(string dependency)
    {
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var health = new DependencyHealth(services.GetRequiredService<IMeterFactory>());
        var time = new FakeTimeProvider(T0);
        var check = new DependencyReadinessCheck(health, Options.Create(new HealthOptions()), time, dependency);
        return (check, health, time);
    }
}
