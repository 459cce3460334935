using Gateway.Edge.Access;
using Gateway.Edge.Access.Identify.Federation;
using Gateway.Edge.Access.Identify.Ldap;
using Gateway.Edge.Access.Identify.Passwords;
using Gateway.Edge.Admin;
using Gateway.Edge.Backend;
using Gateway.Edge.Caching;
using Gateway.Edge.Health;
using Gateway.Edge.Network;
using Gateway.Edge.Telemetry;
using Gateway.Edge.TokenServer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gateway.Edge;

/// <summary>Registers the edge, one feature after another; each feature's registration lives beside it.</summary>
public static class EdgeServiceCollectionExtensions
{
    /// <summary>The health-check tag of checks that gate readiness.</summary>
    public const string ReadyTag = HealthServiceCollectionExtensions.ReadyTag;

    /// <summary>Adds the edge's services. The host must also register an <see cref="IGrainFactory"/> and a <see cref="FingerprintKey"/>.</summary>
    public static IServiceCollection AddRegistryEdge(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        return services
            .AddEdgeTelemetry()
            .AddClientAddress()
            .AddAccessPipeline()
            .AddFederation()
            .AddLdapIdentities()
            .AddTokenServer()
            .AddAdmin()
            .AddRegistryProxy(configuration)
            .AddEdgeAnswerCache()
            .AddDependencyHealth();
    }
}
