using Gateway.Edge.Access.Admit;
using Gateway.Edge.Access.Answer;
using Gateway.Edge.Access.Authorize;
using Gateway.Edge.Access.Identify;
using Gateway.Edge.Access.Identify.Anonymous;
using Gateway.Edge.Access.Identify.Htpasswd;
using Gateway.Edge.Access.Identify.IssuedTokens;
using Gateway.Edge.Access.Identify.MachineAccounts;
using Gateway.Edge.Access.Identify.Passwords;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Access;

/// <summary>Registers the access pipeline: identify → admit → authorize → answer.</summary>
public static class AccessServiceCollectionExtensions
{
    /// <summary>
    /// Adds the pipeline with its built-in identity providers (htpasswd users, machine accounts, tokens the gateway
    /// issued, anonymous clients). The host must also register an <see cref="IGrainFactory"/> and a <see cref="FingerprintKey"/>.
    /// </summary>
    public static IServiceCollection AddAccessPipeline(this IServiceCollection services)
    {
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>());
        services.AddOptions<GrainCallOptions>().BindConfiguration(GrainCallOptions.SectionName); // validated with Gateway:Cluster by the host

        // Admit: the grains, called within one bound per request.
        services.TryAddSingleton<IAccessGrains, GrainAccess>();
        services.TryAddSingleton<BoundedGrainCalls>();
        services.TryAddSingleton<GrainAdmission>();

        // Identify.
        services.TryAddSingleton<GrainCachedPasswords>();
        services.TryAddSingleton<IdentityChain>();
        services.TryAddSingleton<AnonymousIdentityProvider>();
        services.TryAddSingleton<IssuedTokenIdentityProvider>();
        services.TryAddSingleton<HtpasswdStore>();
        services.AddHostedService<HtpasswdReloadService>();
        services.TryAddSingleton<BcryptVerifier>();
        services.TryAddSingleton<FailurePadding>();
        services.TryAddSingleton<HtpasswdVerifier>();
        services.AddIdentityProvider<HtpasswdIdentityProvider>(HtpasswdIdentityProvider.ProviderName);
        services.AddIdentityProvider<MachineAccountIdentityProvider>(MachineAccountIdentityProvider.ProviderName);

        // Authorize.
        services.TryAddSingleton<AclStore>();
        services.AddHostedService<AclReloadService>();
        services.TryAddSingleton<AclAuthorizer>();

        // Answer.
        services.TryAddSingleton<AccessAnswers>();
        return services;
    }

    /// <summary>
    /// Adds an identity provider that checks Basic credentials, under <paramref name="name"/> (its name in
    /// <c>Gateway:Auth:Providers</c>, which decides whether and in which order it is asked).
    /// </summary>
    public static IServiceCollection AddIdentityProvider<TProvider>(this IServiceCollection services, string name)
        where TProvider : class, IIdentityProvider
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        services.TryAddSingleton<TProvider>();
        services.AddSingleton(new IdentityProviderRegistration(name, typeof(TProvider)));
        return services;
    }
}
