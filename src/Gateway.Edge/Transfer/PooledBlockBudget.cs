namespace Gateway.Edge.Transfer;

/// <summary>
/// How many free blocks the pools of one node may keep between them. Kestrel creates a pool per I/O queue (one per
/// core), so a limit per pool would multiply with the cores; this one is shared.
/// </summary>
public sealed class PooledBlockBudget(int maxBlocks)
{
    private int _kept;

    /// <summary>The most free blocks kept at once.</summary>
    public int MaxBlocks { get; } = maxBlocks;

    /// <summary>Reserves room for one more free block; false when the budget is spent.</summary>
    public bool TryKeep()
    {
        if (Interlocked.Increment(ref _kept) <= MaxBlocks)
        {
            return true;
        }

        Interlocked.Decrement(ref _kept);
        return false;
    }

    /// <summary>Gives back the room of a free block that was handed out again or dropped.</summary>
    public void Release() => Interlocked.Decrement(ref _kept);
}
