using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Access.Identify.Federation;

/// <summary>
/// Registers federation (<c>Gateway:Federation</c>) and its identity provider <c>federation</c>; it stays inert while no
/// issuer is trusted or <c>Gateway:Auth:Providers</c> does not list it.
/// </summary>
public static class FederationServiceCollectionExtensions
{
    /// <summary>Adds the options (validated at start), the trusted issuers, the validator and the verifier.</summary>
    public static IServiceCollection AddFederation(this IServiceCollection services)
    {
        services.AddOptions<FederationOptions>().BindConfiguration(FederationOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FederationOptions>, FederationOptionsValidator>());
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<FederationMetrics>();
        services.TryAddSingleton<TrustedIssuers>();
        services.TryAddSingleton<FederatedTokenValidator>();
        services.TryAddSingleton<FederatedLoginJournal>();
        services.TryAddSingleton<FederatedCredentialVerifier>();
        services.AddIdentityProvider<FederationIdentityProvider>(FederationIdentityProvider.ProviderName);
        return services;
    }
}
