using Gateway.Edge.Access.Admit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Access.Identify.Ldap;

/// <summary>Registers the LDAP identity source.</summary>
public static class LdapServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates <c>Gateway:Ldap</c> (at start) and adds the identity provider <c>ldap</c>: it is asked only
    /// when <c>Gateway:Auth:Providers</c> lists it, and its <see cref="LdapCredentialVerifier"/> (which reads the
    /// password and CA files) is created only then.
    /// </summary>
    public static IServiceCollection AddLdapIdentities(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<LdapOptions>().BindConfiguration(LdapOptions.SectionName).ValidateOnStart();
        services.AddOptions<GrainCallOptions>().BindConfiguration(GrainCallOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LdapOptions>, LdapOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<LdapCredentialVerifier>();
        services.AddIdentityProvider<LdapIdentityProvider>(LdapIdentityProvider.ProviderName);
        return services;
    }
}
