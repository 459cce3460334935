using Gateway.Edge.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Access.Identify.Ldap;

/// <summary>Registers the LDAP identity source.</summary>
public static class LdapServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates <c>Gateway:Ldap</c> (at start) and registers <see cref="LdapCredentialVerifier"/>; the
    /// verifier is created (and reads its files) only when LDAP is configured and first used.
    /// </summary>
    public static IServiceCollection AddLdapIdentities(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<LdapOptions>().BindConfiguration(LdapOptions.SectionName).ValidateOnStart();
        services.AddOptions<GrainCallOptions>().BindConfiguration(GrainCallOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LdapOptions>, LdapOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<LdapCredentialVerifier>();
        return services;
    }
}
