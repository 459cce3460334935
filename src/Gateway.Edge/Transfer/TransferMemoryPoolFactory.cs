using System.Buffers;
using Microsoft.AspNetCore.Connections;

namespace Gateway.Edge.Transfer;

/// <summary>
/// Gives Kestrel's socket transport (which takes its pools from this service since .NET 10) <see cref="TransferMemoryPool"/>s
/// with the configured block size, sharing one budget of free blocks.
/// </summary>
public sealed class TransferMemoryPoolFactory(TransferOptions transfer) : IMemoryPoolFactory<byte>
{
    private readonly PooledBlockBudget _budget = new((int)Math.Min(int.MaxValue, transfer.MaxPooledBytes / transfer.BlockSize));

    /// <inheritdoc />
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new TransferMemoryPool(transfer.BlockSize, _budget);
}
