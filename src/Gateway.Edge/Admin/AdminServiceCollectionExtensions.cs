using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Admin;

/// <summary>Registers the admin endpoints' settings (mapped by <see cref="AdminEndpoints"/>).</summary>
public static class AdminServiceCollectionExtensions
{
    /// <summary>Adds <see cref="AdminOptions"/>, validated at start.</summary>
    public static IServiceCollection AddAdmin(this IServiceCollection services)
    {
        services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AdminOptions>, AdminOptionsValidator>());
        return services;
    }
}
