using System.Buffers;
using System.Collections.Concurrent;

namespace Gateway.Edge.Transfer;

/// <summary>
/// The memory pool of Kestrel's connections: pinned blocks of <see cref="MaxBufferSize"/> bytes. Kestrel's own pool hands
/// out 4 KiB blocks, and its socket transport receives into one block at a time, so a 256 MiB upload costs about
/// 65,000 receives (and as many wake-ups, TLS reads and body reads) before YARP writes it on; nginx reads 16 KiB and
/// more per call. With larger blocks each receive, each TLS read into the decrypted pipe and each body read that YARP
/// copies to the registry moves up to a block, which cuts the CPU of a push (see the README's Blob throughput).
/// </summary>
/// <remarks>
/// Blocks are pinned (the Pinned Object Heap), as Kestrel's are, because sockets receive into them. Free blocks are
/// kept for reuse within a <see cref="PooledBlockBudget"/> shared by the node's pools; a block returned beyond it is left
/// to the garbage collector, so a burst of connections does not stay pinned for the life of the process.
/// </remarks>
public sealed class TransferMemoryPool : MemoryPool<byte>
{
    private readonly ConcurrentQueue<TransferMemoryBlock> _free = new();
    private readonly PooledBlockBudget _budget;
    private volatile bool _disposed;

    /// <summary>Creates a pool of <paramref name="blockSize"/>-byte blocks that keeps free blocks within <paramref name="budget"/>.</summary>
    public TransferMemoryPool(int blockSize, PooledBlockBudget budget)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, TransferOptionsValidator.MinBlockSize);
        ArgumentNullException.ThrowIfNull(budget);
        BlockSize = blockSize;
        _budget = budget;
    }

    /// <summary>The size of every block, in bytes.</summary>
    public int BlockSize { get; }

    /// <inheritdoc />
    public override int MaxBufferSize => BlockSize;

    /// <inheritdoc />
    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_free.TryDequeue(out var block))
        {
            _budget.Release();
            block.Lease();
            return block;
        }

        return new TransferMemoryBlock(this, GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true));
    }

    /// <summary>Takes a block back; called once per lease by the block's <see cref="IDisposable.Dispose"/>.</summary>
    internal void Return(TransferMemoryBlock block)
    {
        if (!_disposed && _budget.TryKeep())
        {
            _free.Enqueue(block);
        }

        // Otherwise the garbage collector takes it.
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        while (_free.TryDequeue(out _))
        {
            _budget.Release();
        }
    }
}
