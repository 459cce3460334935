using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Transfer;

/// <summary>Registers the buffer pool of a node's connections.</summary>
public static class TransferServiceCollectionExtensions
{
    /// <summary>
    /// Makes Kestrel read into <see cref="TransferMemoryPool"/>s with <paramref name="options"/>' block size. Kestrel
    /// registers its own factory with TryAdd, so this one wins whichever is registered first. Also makes the options
    /// available to <see cref="RequestBodyCoalescingMiddleware"/>.
    /// </summary>
    public static IServiceCollection AddTransferMemoryPool(this IServiceCollection services, TransferOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton<IMemoryPoolFactory<byte>>(new TransferMemoryPoolFactory(options));
        services.TryAddSingleton(Options.Create(options));
        return services;
    }
}
