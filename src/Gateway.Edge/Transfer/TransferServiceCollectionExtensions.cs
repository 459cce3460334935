using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Edge.Transfer;

/// <summary>Registers the buffer pool of a node's connections.</summary>
public static class TransferServiceCollectionExtensions
{
    /// <summary>
    /// Makes Kestrel read into <see cref="TransferMemoryPool"/>s with <paramref name="options"/>' block size. Kestrel
    /// registers its own factory with TryAdd, so this one wins whichever is registered first.
    /// </summary>
    public static IServiceCollection AddTransferMemoryPool(this IServiceCollection services, TransferOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton<IMemoryPoolFactory<byte>>(new TransferMemoryPoolFactory(options));
        return services;
    }
}
