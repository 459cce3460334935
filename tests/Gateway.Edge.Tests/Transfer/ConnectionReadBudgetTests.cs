using Gateway.Edge.Transfer;

namespace Gateway.Edge.Tests.Transfer;

/// <summary>Coalesced reads per HTTP/2 connection: never more than half the connection's window can wait at once.</summary>
public sealed class ConnectionReadBudgetTests
{
    [Fact]
    public void For_KestrelsDefaultWindowAnd64KiB_EightReadsPerConnection()
    {
        Assert.Equal(8, ConnectionReadBudget.For(1024 * 1024, 64 * 1024).PerConnection);
        Assert.Equal(0, ConnectionReadBudget.For(65_535, 64 * 1024).PerConnection);
        Assert.Equal(0, ConnectionReadBudget.For(1024 * 1024, 0).PerConnection);
    }

    [Fact]
    public void TryEnter_PlacesTaken_RefusedUntilOneIsGivenBack()
    {
        var budget = new ConnectionReadBudget(2);

        Assert.True(budget.TryEnter("c1"));
        Assert.True(budget.TryEnter("c1"));
        Assert.False(budget.TryEnter("c1"));
        Assert.True(budget.TryEnter("c2")); // another connection has its own window
        budget.Exit("c1");

        Assert.True(budget.TryEnter("c1"));
    }

    [Fact]
    public void Exit_LastPlaceOfAConnection_ForgetsTheConnection()
    {
        var budget = new ConnectionReadBudget(4);
        budget.TryEnter("c1");
        budget.TryEnter("c1");

        budget.Exit("c1");
        budget.Exit("c1");

        Assert.Equal(0, budget.Connections);
    }

    [Fact]
    public void TryEnter_NoPlaces_AlwaysRefused()
    {
        var budget = new ConnectionReadBudget(0);

        Assert.False(budget.TryEnter("c1"));
        Assert.Equal(0, budget.Connections);
    }

    [Fact]
    public async Task TryEnter_ManyRequestsOfOneConnectionAtOnce_NeverMoreThanItsPlaces()
    {
        var budget = new ConnectionReadBudget(8);
        var inside = 0;
        var most = 0;

        await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                if (!budget.TryEnter("c1"))
                {
                    continue;
                }

                var now = Interlocked.Increment(ref inside);
                InterlockedMax(ref most, now);
                await Task.Yield();
                Interlocked.Decrement(ref inside);
                budget.Exit("c1");
            }
        })));

        Assert.InRange(most, 1, 8);
        Assert.Equal(0, budget.Connections);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
