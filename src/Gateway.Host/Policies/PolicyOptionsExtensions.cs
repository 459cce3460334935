using Gateway.Registry.Policies;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Host.Policies;

/// <summary>Binds and validates the lockout and rate-limit options the grains enforce.</summary>
public static class PolicyOptionsExtensions
{
    /// <summary>Adds <see cref="LockoutOptions"/> and <see cref="RateLimitOptions"/>, validated at start by the validators beside them.</summary>
    public static IServiceCollection AddGatewayPolicies(this IServiceCollection services)
    {
        services.AddOptions<LockoutOptions>().BindConfiguration(LockoutOptions.SectionName).ValidateOnStart();
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LockoutOptions>, LockoutOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RateLimitOptions>, RateLimitOptionsValidator>());
        return services;
    }
}
