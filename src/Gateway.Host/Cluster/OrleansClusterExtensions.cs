using Gateway.Grains;
using Gateway.Grains.Retention;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace Gateway.Host.Cluster;

/// <summary>Configures silos and edge clients from <see cref="ClusterSettings"/>.</summary>
public static class OrleansClusterExtensions
{
    /// <summary>The name the Redis grain storage is registered under, wrapped by <see cref="FailoverSafeGrainStorage"/>.</summary>
    private const string RedisStorageName = "gateway-redis";

    private const string ClusterConnection = "redis-cluster";

    /// <summary>Thread-pool threads ready at once without the pool's slow growth (see <see cref="UseRedisThreadPoolMinimum"/>).</summary>
    private const int RedisMinimumThreads = 32;

    /// <summary>Configures a silo: clustering, endpoints on the advertised address, fast failure detection.</summary>
    public static ISiloBuilder ConfigureGatewaySilo(this ISiloBuilder silo, ClusterSettings settings)
    {
        var options = settings.Options;
        if (settings.Provider == ClusterProvider.Localhost)
        {
            silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);

            // One node: lock state lives as long as the node.
            silo.AddMemoryGrainStorage(GrainStorage.Name);
            silo.Services.AddSingleton<IStateSweepIndex, MemoryStateSweepIndex>();
        }
        else
        {
            // Lock state survives the loss of the silos that held it, and (with replicas) the loss of a Redis primary.
            // One connection for clustering, storage and the sweep index: with a connection of its own, clustering
            // sometimes found the new primary seconds after storage did (its commands waited out the 5 s backlog),
            // and a dead silo cannot be declared dead before membership can write. The price: a replica wait holds
            // this connection for up to ReplicationWait when no replica answers (then waits are skipped for 5 s).
            UseRedisThreadPoolMinimum();
            var cluster = new SharedRedisMultiplexer(settings.Redis!);
            silo.Services.AddKeyedSingleton(ClusterConnection, (_, _) => cluster); // created by the container: disposed by it
            silo.AddRedisGrainStorage(RedisStorageName, (Orleans.Persistence.RedisStorageOptions redis) =>
            {
                redis.ConfigurationOptions = settings.Redis!;
                redis.CreateMultiplexer = _ => cluster.ForOrleansAsync();
                redis.DeleteStateOnClear = true; // expired lockout state leaves Redis (see StateRetention)
            });
            // Replicas are what Sentinels are for; a lone server (or a managed endpoint) has none to wait for.
            var replicationWait = RedisConnection.IsSentinel(settings.Redis!) ? options.ReplicationWait : TimeSpan.Zero;
            silo.Services.AddSingleton(sp => new RedisReplicationBarrier(
                sp.GetRequiredKeyedService<SharedRedisMultiplexer>(ClusterConnection), replicationWait, sp.GetRequiredService<ILogger<RedisReplicationBarrier>>()));
            silo.Services.AddGrainStorage(GrainStorage.Name, (sp, _) => new FailoverSafeGrainStorage(
                sp.GetRequiredKeyedService<IGrainStorage>(RedisStorageName), sp.GetRequiredService<RedisReplicationBarrier>(), sp.GetRequiredService<ILogger<FailoverSafeGrainStorage>>()));
            silo.Services.AddSingleton<IStateSweepIndex>(sp => new RedisStateSweepIndex(sp.GetRequiredKeyedService<SharedRedisMultiplexer>(ClusterConnection), options.ServiceId));
            silo.UseRedisClustering(redis =>
            {
                redis.ConfigurationOptions = settings.Redis!;
                redis.CreateMultiplexer = _ => cluster.ForOrleansAsync();
            });
            silo.Configure<ClusterOptions>(cluster =>
            {
                cluster.ClusterId = options.ClusterId;
                cluster.ServiceId = options.ServiceId;
            });
            silo.ConfigureEndpoints(settings.AdvertisedAddress, options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: false);
        }

        silo.Configure<ClusterMembershipOptions>(membership =>
        {
            // A killed silo is declared dead after 3 missed probes, by one vote: a lone survivor can do it.
            membership.ProbeTimeout = options.ProbePeriod;
            membership.NumMissedProbesLimit = 3;
            membership.NumVotesForDeathDeclaration = 1;

            // Indirect probes go through another silo, and a silo that nobody probes rates its own health as degraded:
            // both stop a lone survivor from declaring its dead peers dead. Direct probes over a refused connection are
            // evidence enough on a cluster network.
            membership.EnableIndirectProbes = false;
            membership.ExtendProbeTimeoutDuringDegradation = false;
            membership.TableRefreshTimeout = TimeSpan.FromSeconds(5);
            membership.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(30);
            membership.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(30);
            membership.DefunctSiloExpiration = TimeSpan.FromHours(1);
        });
        silo.Configure<SiloMessagingOptions>(messaging => messaging.ResponseTimeout = options.ResponseTimeout);

        // Membership timestamps from the silo's start, not the machine's boot: see MembershipClock.
        silo.Services.AddKeyedSingleton<TimeProvider>(TimeProviderNames.Membership, new MembershipClock());

        // Expired lockout state is deleted by its own grain when the sweeper asks (every Gateway:Lockout:SweepInterval).
        silo.Services.AddHostedService<StateSweeper>();

        // Grain calls carry the W3C trace context: client and server spans (source Microsoft.Orleans.Application).
        silo.AddActivityPropagation();
        return silo;
    }

    /// <summary>Configures an edge's Orleans client.</summary>
    public static IClientBuilder ConfigureGatewayClient(this IClientBuilder client, ClusterSettings settings)
    {
        var options = settings.Options;
        if (settings.Provider == ClusterProvider.Localhost)
        {
            client.UseLocalhostClustering(options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
        }
        else
        {
            UseRedisThreadPoolMinimum();
            var redis = new SharedRedisMultiplexer(settings.Redis!);
            client.Services.AddKeyedSingleton(ClusterConnection, (_, _) => redis);
            client.UseRedisClustering(clustering =>
            {
                clustering.ConfigurationOptions = settings.Redis!;
                clustering.CreateMultiplexer = _ => redis.ForOrleansAsync();
            });
            client.Configure<ClusterOptions>(cluster =>
            {
                cluster.ClusterId = options.ClusterId;
                cluster.ServiceId = options.ServiceId;
            });
        }

        client.Configure<GatewayOptions>(gateways => gateways.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
        client.Configure<ClientMessagingOptions>(messaging => messaging.ResponseTimeout = options.ResponseTimeout);
        client.AddActivityPropagation();
        return client;
    }

    /// <summary>
    /// StackExchange.Redis follows a Sentinel failover with blocking calls on pool threads; with the pool's default
    /// minimum (one thread per core) a 2-core node waited seconds for the pool to grow while every grain call queued.
    /// </summary>
    private static void UseRedisThreadPoolMinimum()
    {
        ThreadPool.GetMinThreads(out var workers, out var completions);
        ThreadPool.SetMinThreads(Math.Max(workers, RedisMinimumThreads), Math.Max(completions, RedisMinimumThreads));
    }
}
