using Gateway.Edge.Admin;
using Gateway.Edge.Authentication;
using Gateway.Edge.Authorization;
using Gateway.Edge.Backend;
using Gateway.Edge.Caching;
using Gateway.Edge.Health;
using Gateway.Edge.Network;
using Gateway.Edge.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Health;

namespace Gateway.Edge;

/// <summary>Registers the edge: options, authentication, the proxy to the registry and its health checks.</summary>
public static class EdgeServiceCollectionExtensions
{
    /// <summary>The health-check tag of checks that gate readiness.</summary>
    public const string ReadyTag = "ready";

    /// <summary>Adds the edge's services. The host must also register an <see cref="IGrainFactory"/> and a <see cref="FingerprintKey"/>.</summary>
    public static IServiceCollection AddRegistryEdge(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        services.AddOptions<GrainCallOptions>().BindConfiguration(GrainCallOptions.SectionName);
        services.AddOptions<BackendOptions>().BindConfiguration(BackendOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BackendOptions>, BackendOptionsValidator>();
        services.AddOptions<NetworkOptions>().BindConfiguration(NetworkOptions.SectionName).ValidateOnStart();
        services.AddOptions<Gateway.Registry.Tokens.RegistryTokenOptions>().BindConfiguration(Gateway.Registry.Tokens.RegistryTokenOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<Gateway.Registry.Tokens.RegistryTokenOptions>, TokenServer.TokenServerOptionsValidator>();
        services.AddSingleton<TokenServer.TokenService>(); // resolved only when Gateway:Token:SigningKey is set
        services.AddSingleton<TokenServer.TokenEndpoint>();
        services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AdminOptions>, AdminOptionsValidator>();
        services.AddSingleton<IValidateOptions<NetworkOptions>, NetworkOptionsValidator>();

        services.TryAddTimeProvider();
        services.AddMetrics();
        services.AddSingleton<EdgeMetrics>();
        services.AddSingleton<AccessAudit>();
        services.AddSingleton<HtpasswdStore>();
        services.AddHostedService<HtpasswdReloadService>();
        services.AddSingleton<AclStore>();
        services.AddHostedService<AclReloadService>();
        services.AddSingleton<FailurePadding>();
        services.AddSingleton<PasswordVerifier>();
        services.AddSingleton<ICredentialCache, GrainCredentialCache>();
        services.AddSingleton<CredentialAuthenticator>();
        services.AddEdgeAnswerCache();

        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<NetworkOptions>>((forwarded, network) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.ForwardLimit = 1;
            forwarded.KnownIPNetworks.Clear();
            forwarded.KnownProxies.Clear();
            foreach (var proxy in network.Value.KnownProxies)
            {
                forwarded.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
            }

            foreach (var range in network.Value.KnownNetworks)
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(range));
            }
        });

        var backend = configuration.GetSection(BackendOptions.SectionName).Get<BackendOptions>() ?? new BackendOptions();

        // YARP validates its configuration on its own, before options validation runs, and names no key
        // ("Unable to load or apply the proxy configuration."): check the URLs first, with messages that do.
        var backendCheck = new BackendOptionsValidator().Validate(Options.DefaultName, backend);
        if (backendCheck.Failed)
        {
            throw new OptionsValidationException(BackendOptions.SectionName, typeof(BackendOptions), backendCheck.Failures);
        }
        var tokenMode = (configuration.GetSection(AuthOptions.SectionName).Get<AuthOptions>() ?? new AuthOptions()).IsTokenMode;
        var backendUris = backend.Urls.Select(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) ? uri : null).OfType<Uri>().ToArray();
        services.AddReverseProxy()
            .LoadFromMemory([RegistryProxyConfig.Route()], [RegistryProxyConfig.Cluster(backend)])
            .AddTransforms(context =>
            {
                if (context.Route.RouteId == RegistryProxyConfig.RouteId)
                {
                    ForwardingTransforms.Apply(context, backendUris, forwardAuthorization: tokenMode);
                }
            });
        services.AddSingleton<IActiveHealthCheckPolicy, AnyAnswerHealthPolicy>();

        // Readiness answers from the last background checks (DependencyMonitor), never from a call made for the probe.
        services.AddOptions<HealthOptions>().BindConfiguration(HealthOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<HealthOptions>, HealthOptionsValidator>();
        services.AddHttpClient(BackendProbe.ClientName, c => c.Timeout = TimeSpan.FromSeconds(30)); // each check is bounded by CheckTimeout
        services.AddSingleton<DependencyHealth>();
        services.AddSingleton<ClusterProbe>();
        services.AddSingleton<BackendProbe>();
        services.AddHostedService<DependencyMonitor>();
        services.AddHealthChecks()
            .AddTypeActivatedCheck<DependencyReadinessCheck>("cluster", failureStatus: null, tags: [ReadyTag], args: ["cluster"])
            .AddTypeActivatedCheck<DependencyReadinessCheck>("registry", failureStatus: null, tags: [ReadyTag], args: ["registry"]);
        return services;
    }

    private static void TryAddTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(s => s.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }
}
