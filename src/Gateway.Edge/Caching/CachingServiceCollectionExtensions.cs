using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Caching;

/// <summary>Registers the edge cache of content-addressed answers.</summary>
public static class CachingServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="CacheOptions"/> (validated at start), the cache, its metrics and the invalidation service. The
    /// channel defaults to <see cref="LocalInvalidationChannel"/> (one node); a cluster registers its own first.
    /// </summary>
    public static IServiceCollection AddEdgeAnswerCache(this IServiceCollection services)
    {
        services.AddOptions<CacheOptions>().BindConfiguration(CacheOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CacheOptions>, CacheOptionsValidator>());
        services.TryAddSingleton<EdgeAnswerCache>();
        services.TryAddSingleton<CacheMetrics>();
        services.TryAddSingleton<ICacheInvalidationChannel, LocalInvalidationChannel>();
        services.AddHostedService<CacheInvalidationService>();
        return services;
    }
}
