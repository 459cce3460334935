using Gateway.Edge.Transfer;

namespace Gateway.Edge.Tests.Transfer;

/// <summary>The buffer pool Kestrel's connections read into: block size, reuse, and the shared budget of free blocks.</summary>
public sealed class TransferMemoryPoolTests
{
    [Fact]
    public void Rent_AnySize_ReturnsAWholeBlock()
    {
        using var pool = new TransferMemoryPool(32 * 1024, new PooledBlockBudget(4));

        using var small = pool.Rent(10);
        using var unspecified = pool.Rent();

        Assert.Equal(32 * 1024, small.Memory.Length);
        Assert.Equal(32 * 1024, unspecified.Memory.Length);
        Assert.Equal(32 * 1024, pool.MaxBufferSize);
    }

    [Fact]
    public void Rent_MoreThanABlock_Throws()
    {
        using var pool = new TransferMemoryPool(8 * 1024, new PooledBlockBudget(4));

        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent((8 * 1024) + 1));
    }

    [Fact]
    public void Rent_AfterReturn_ReusesTheBlock()
    {
        using var pool = new TransferMemoryPool(8 * 1024, new PooledBlockBudget(4));
        var first = pool.Rent();
        first.Memory.Span[0] = 42;
        first.Dispose();

        using var second = pool.Rent();

        Assert.Equal(42, second.Memory.Span[0]); // the same memory, not a new array
    }

    [Fact]
    public void Dispose_Twice_PoolsTheBlockOnce()
    {
        using var pool = new TransferMemoryPool(8 * 1024, new PooledBlockBudget(4));
        var block = pool.Rent();
        block.Dispose();
        block.Dispose();

        using var a = pool.Rent();
        using var b = pool.Rent();

        // Pooled twice, a and b would share one buffer: two connections writing into each other's data.
        a.Memory.Span[0] = 1;
        b.Memory.Span[0] = 2;
        Assert.Equal(1, a.Memory.Span[0]);
    }

    [Fact]
    public void Return_BeyondTheSharedBudget_DropsTheBlock()
    {
        var budget = new PooledBlockBudget(2);
        using var poolA = new TransferMemoryPool(8 * 1024, budget);
        using var poolB = new TransferMemoryPool(8 * 1024, budget);
        var blocks = new[] { poolA.Rent(), poolA.Rent(), poolB.Rent() };
        foreach (var block in blocks)
        {
            block.Memory.Span[0] = 7;
            block.Dispose();
        }

        // poolA kept its two; poolB's block found the shared budget spent and went to the garbage collector.
        Assert.False(budget.TryKeep());
        using var reused1 = poolA.Rent();
        using var reused2 = poolA.Rent();
        Assert.Equal(7, reused1.Memory.Span[0]);
        Assert.Equal(7, reused2.Memory.Span[0]);

        // Handing them out again freed their room in the budget.
        Assert.True(budget.TryKeep());
        Assert.True(budget.TryKeep());
        Assert.False(budget.TryKeep());
    }

    [Fact]
    public void Rent_AfterDispose_Throws()
    {
        var pool = new TransferMemoryPool(8 * 1024, new PooledBlockBudget(4));
        pool.Dispose();

        Assert.Throws<ObjectDisposedException>(() => pool.Rent());
    }
}
