using System.Buffers;
using System.Runtime.InteropServices;

namespace Gateway.Edge.Transfer;

/// <summary>One pinned block of a <see cref="TransferMemoryPool"/>; disposing it returns it to the pool once.</summary>
internal sealed class TransferMemoryBlock : IMemoryOwner<byte>
{
    private readonly TransferMemoryPool _pool;
    private int _leased;

    public TransferMemoryBlock(TransferMemoryPool pool, byte[] pinnedArray)
    {
        _pool = pool;
        Memory = MemoryMarshal.CreateFromPinnedArray(pinnedArray, 0, pinnedArray.Length);
        _leased = 1;
    }

    /// <inheritdoc />
    public Memory<byte> Memory { get; }

    /// <summary>Marks the block as handed out again.</summary>
    public void Lease() => Volatile.Write(ref _leased, 1);

    /// <inheritdoc />
    public void Dispose()
    {
        // A second Dispose of the same lease must not put the block in the pool twice (two owners of one buffer).
        if (Interlocked.Exchange(ref _leased, 0) == 1)
        {
            _pool.Return(this);
        }
    }
}
