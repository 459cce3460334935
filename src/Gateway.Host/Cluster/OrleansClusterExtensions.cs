using Gateway.Grains;
using Gateway.Grains.Retention;
using Orleans.Configuration;
using StackExchange.Redis;

namespace Gateway.Host.Cluster;

/// <summary>Configures silos and edge clients from <see cref="ClusterSettings"/>.</summary>
public static class OrleansClusterExtensions
{
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
            // Lock state survives the loss of the silos that held it.
            silo.AddRedisGrainStorage(GrainStorage.Name, storage =>
            {
                storage.ConfigurationOptions = ConfigurationOptions.Parse(options.Redis!);
                storage.DeleteStateOnClear = true; // expired lockout state leaves Redis (see StateRetention)
            });
            silo.Services.AddSingleton<IStateSweepIndex>(_ => new RedisStateSweepIndex(options.Redis!, options.ServiceId));
            silo.UseRedisClustering(redis => redis.ConfigurationOptions = ConfigurationOptions.Parse(options.Redis!));
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
            client.UseRedisClustering(redis => redis.ConfigurationOptions = ConfigurationOptions.Parse(options.Redis!));
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
}
