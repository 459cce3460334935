using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gateway.Edge.Telemetry;

/// <summary>Registers the edge's metrics and its audit log.</summary>
public static class EdgeTelemetryServiceCollectionExtensions
{
    /// <summary>Adds <see cref="EdgeMetrics"/> and <see cref="AccessAudit"/>.</summary>
    public static IServiceCollection AddEdgeTelemetry(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<EdgeMetrics>();
        services.TryAddSingleton<AccessAudit>();
        return services;
    }
}
