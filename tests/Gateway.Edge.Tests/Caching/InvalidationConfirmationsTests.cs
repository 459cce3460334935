using Gateway.Edge.Caching;

namespace Gateway.Edge.Tests.Caching;

public sealed class InvalidationConfirmationsTests
{
    private static readonly string NodeA = NodeIds.New();
    private static readonly string NodeB = NodeIds.New();

    [Fact]
    public async Task WaitAsync_EveryReceiverConfirmsLater_EndsWithTheirCount()
    {
        var confirmations = new InvalidationConfirmations();
        var sequence = confirmations.Begin();

        var wait = confirmations.WaitAsync(sequence, 2, CancellationToken.None);
        Assert.False(wait.IsCompleted);
        confirmations.Confirm(sequence, NodeA);
        Assert.False(wait.IsCompleted);
        confirmations.Confirm(sequence, NodeB);

        Assert.Equal(2, await wait);
    }

    [Fact]
    public async Task WaitAsync_ConfirmationsArrivedBeforeTheReceiverCount_EndsAtOnce()
    {
        var confirmations = new InvalidationConfirmations();
        var sequence = confirmations.Begin();
        confirmations.Confirm(sequence, NodeA);
        confirmations.Confirm(sequence, NodeB);

        var wait = confirmations.WaitAsync(sequence, 2, CancellationToken.None);

        Assert.True(wait.IsCompletedSuccessfully);
        Assert.Equal(2, await wait);
    }

    [Fact]
    public async Task WaitAsync_OneNodeConfirmsTwice_CountedOnceAndTheWaitEndsWithTheBound()
    {
        var confirmations = new InvalidationConfirmations();
        var sequence = confirmations.Begin();
        confirmations.Confirm(sequence, NodeA);
        confirmations.Confirm(sequence, NodeA);
        using var bound = new CancellationTokenSource();

        var wait = confirmations.WaitAsync(sequence, 2, bound.Token);
        Assert.False(wait.IsCompleted);
        await bound.CancelAsync();

        Assert.Equal(1, await wait);
    }

    [Fact]
    public async Task Confirm_OtherOrEndedSequence_NotCounted()
    {
        var confirmations = new InvalidationConfirmations();
        var ended = confirmations.Begin();
        confirmations.End(ended);
        var sequence = confirmations.Begin();
        confirmations.Confirm(ended, NodeA);
        confirmations.Confirm(sequence + 1, NodeA);
        using var bound = new CancellationTokenSource();
        await bound.CancelAsync();

        Assert.Equal(0, await confirmations.WaitAsync(sequence, 1, bound.Token));
        confirmations.End(sequence);
        Assert.Equal(0, confirmations.Waiting);
    }
}
