using Gateway.Edge.Access;
using Gateway.Edge.Configuration;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Health;

namespace Gateway.Edge.Backend;

/// <summary>Registers the streaming proxy to the registry.</summary>
public static class BackendServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="BackendOptions"/> and YARP's route and cluster. YARP takes its settings here and checks them on its
    /// own, naming no key ("Unable to load or apply the proxy configuration."): the options are checked first, by their
    /// validator, so a bad URL stops the start with its key.
    /// </summary>
    public static IServiceCollection AddRegistryProxy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BackendOptions>().BindConfiguration(BackendOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BackendOptions>, BackendOptionsValidator>());
        var backend = StartupOptions.BindValidated(configuration, BackendOptions.SectionName, new BackendOptionsValidator());
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
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IActiveHealthCheckPolicy, AnyAnswerHealthPolicy>());

        // YARP turns on ASP.NET's data protection: its keys stay in memory (MemoryKeyRepository), never in ~/.aspnet.
        services.AddDataProtection();
        services.Configure<KeyManagementOptions>(keys => keys.XmlRepository = new MemoryKeyRepository());
        return services;
    }
}
