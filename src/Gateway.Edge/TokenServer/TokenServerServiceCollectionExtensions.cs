using Gateway.Registry.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.TokenServer;

/// <summary>Registers the token server (used when <c>Gateway:Token:SigningKey</c> is set).</summary>
public static class TokenServerServiceCollectionExtensions
{
    /// <summary>Adds <see cref="RegistryTokenOptions"/> (validated when enabled), the signing key, the token service and the endpoint.</summary>
    public static IServiceCollection AddTokenServer(this IServiceCollection services)
    {
        services.AddOptions<RegistryTokenOptions>().BindConfiguration(RegistryTokenOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RegistryTokenOptions>, TokenServerOptionsValidator>());
        services.TryAddSingleton<TokenSigningKeys>();
        services.TryAddSingleton<TokenService>(); // resolved only when the token server is enabled
        services.TryAddSingleton<TokenEndpoint>();
        return services;
    }
}
