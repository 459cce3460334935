using Gateway.Registry.Policies;

namespace Gateway.Host.Policies;

/// <summary>Binds and validates the lockout and rate-limit options the grains enforce.</summary>
public static class PolicyOptionsExtensions
{
    /// <summary>Adds <see cref="LockoutOptions"/> and <see cref="RateLimitOptions"/>, validated at start.</summary>
    public static IServiceCollection AddGatewayPolicies(this IServiceCollection services)
    {
        services.AddOptions<LockoutOptions>().BindConfiguration(LockoutOptions.SectionName)
            .ValidateOnStart();
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.SectionName)
            .ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<LockoutOptions>>(new PolicyValidator<LockoutOptions>(o => o.Validate()));
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<RateLimitOptions>>(new PolicyValidator<RateLimitOptions>(o => o.Validate()));
        return services;
    }

    private sealed class PolicyValidator<T>(Func<T, IReadOnlyList<string>> validate) : Microsoft.Extensions.Options.IValidateOptions<T>
        where T : class
    {
        public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, T options)
        {
            var failures = validate(options);
            return failures.Count == 0 ? Microsoft.Extensions.Options.ValidateOptionsResult.Success : Microsoft.Extensions.Options.ValidateOptionsResult.Fail(failures);
        }
    }
}
