using Gateway.Edge.Caching;

namespace Gateway.Host.Cluster;

/// <summary>Chooses the edge cache's invalidation channel from the cluster settings.</summary>
public static class CacheInvalidationExtensions
{
    /// <summary>
    /// With the Redis provider, invalidations travel over the cluster's Redis (<see cref="RedisCacheInvalidationChannel"/>);
    /// a localhost node keeps the edge's default, itself. Call before <c>AddRegistryEdge</c>.
    /// </summary>
    public static IServiceCollection AddCacheInvalidationChannel(this IServiceCollection services, ClusterSettings cluster)
    {
        if (cluster.Provider == ClusterProvider.Redis)
        {
            var name = $"{cluster.Options.ServiceId}/{cluster.Options.ClusterId}/edge-cache";
            services.AddSingleton<ICacheInvalidationChannel>(sp => new RedisCacheInvalidationChannel(cluster.Options.Redis!, name, sp.GetRequiredService<ILogger<RedisCacheInvalidationChannel>>()));
        }

        return services;
    }
}
