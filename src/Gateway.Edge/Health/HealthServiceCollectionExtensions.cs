using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Health;

/// <summary>Registers readiness from the edge's dependencies: the cluster and the registry.</summary>
public static class HealthServiceCollectionExtensions
{
    /// <summary>The health-check tag of checks that gate readiness.</summary>
    public const string ReadyTag = "ready";

    /// <summary>
    /// Adds the background dependency checks and the readiness checks that answer from their last results, never from a
    /// call made for the probe.
    /// </summary>
    public static IServiceCollection AddDependencyHealth(this IServiceCollection services)
    {
        services.AddOptions<HealthOptions>().BindConfiguration(HealthOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HealthOptions>, HealthOptionsValidator>());
        services.AddHttpClient(BackendProbe.ClientName, c => c.Timeout = TimeSpan.FromSeconds(30)); // each check is bounded by CheckTimeout
        services.TryAddSingleton<DependencyHealth>();
        services.TryAddSingleton<ClusterProbe>();
        services.TryAddSingleton<BackendProbe>();
        services.AddHostedService<DependencyMonitor>();
        services.AddHealthChecks()
            .AddTypeActivatedCheck<DependencyReadinessCheck>("cluster", failureStatus: null, tags: [ReadyTag], args: ["cluster"])
            .AddTypeActivatedCheck<DependencyReadinessCheck>("registry", failureStatus: null, tags: [ReadyTag], args: ["registry"]);
        return services;
    }
}
