using System.Diagnostics.Metrics;
using Gateway.Edge.Telemetry;

namespace Gateway.Edge.Health;

/// <summary>
/// The edge's dependencies as the background check last saw them, and their gauge
/// <c>gateway.dependency.up{dependency="cluster|registry"}</c> (1: the last check succeeded, 0: it failed or none ran yet).
/// </summary>
public sealed class DependencyHealth
{
    /// <summary>Creates the statuses and registers the gauge on the edge's meter.</summary>
    public DependencyHealth(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(EdgeMetrics.MeterName);
        meter.CreateObservableGauge(
            "gateway.dependency.up",
            () => new[]
            {
                new Measurement<int>(Cluster.Up ? 1 : 0, new KeyValuePair<string, object?>("dependency", Cluster.Name)),
                new Measurement<int>(Registry.Up ? 1 : 0, new KeyValuePair<string, object?>("dependency", Registry.Name)),
            },
            unit: "{up}",
            description: "Whether the edge's last check of a dependency succeeded (1) or not (0): cluster = a grain call answered, registry = a replica answered GET /v2/.");
    }

    /// <summary>The Orleans cluster: a grain call answers.</summary>
    public DependencyStatus Cluster { get; } = new("cluster");

    /// <summary>The registry: at least one replica answers.</summary>
    public DependencyStatus Registry { get; } = new("registry");

    /// <summary>The status of <c>cluster</c> or <c>registry</c>.</summary>
    public DependencyStatus this[string name] => name == Cluster.Name ? Cluster : name == Registry.Name ? Registry : throw new ArgumentOutOfRangeException(nameof(name), name, "cluster or registry");
}
