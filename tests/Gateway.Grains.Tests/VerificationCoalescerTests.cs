using Microsoft.Extensions.Time.Testing;

namespace Gateway.Grains.Tests;

/// <summary>One verification for a burst of first requests; a silent edge frees its slot.</summary>
public sealed class VerificationCoalescerTests
{
    private static readonly byte[] Fingerprint = [1, 2, 3];

    [Fact]
    public void FindSame_SameCredentialInFlight_ReturnsItsTicket()
    {
        var time = new FakeTimeProvider();
        var coalescer = new VerificationCoalescer(time);
        var ticket = coalescer.Open(Fingerprint, "192.0.2.1", time.GetUtcNow(), graceable: false);

        Assert.Same(ticket, coalescer.FindSame([1, 2, 3], time.GetUtcNow()));
        Assert.Null(coalescer.FindSame([9], time.GetUtcNow()));
    }

    [Fact]
    public async Task WaitAsync_ReportArrives_WaiterGetsResult()
    {
        var time = new FakeTimeProvider();
        var coalescer = new VerificationCoalescer(time);
        var ticket = coalescer.Open(Fingerprint, "192.0.2.1", time.GetUtcNow(), graceable: false);

        var waiting = coalescer.WaitAsync(ticket, time.GetUtcNow());
        Assert.Same(ticket, coalescer.Close(ticket.Id));
        ticket.Completion.TrySetResult(true);

        Assert.True(await waiting);
        Assert.Equal(0, coalescer.Count);
    }

    [Fact]
    public async Task WaitAsync_EdgeNeverReports_TimesOutAndFreesSlot()
    {
        var time = new FakeTimeProvider();
        var coalescer = new VerificationCoalescer(time);
        var ticket = coalescer.Open(Fingerprint, "192.0.2.1", time.GetUtcNow(), graceable: false);

        var waiting = coalescer.WaitAsync(ticket, time.GetUtcNow());
        time.Advance(VerificationCoalescer.Timeout);

        Assert.Null(await waiting);
        Assert.Equal(0, coalescer.Count);
        Assert.Null(coalescer.FindSame(Fingerprint, time.GetUtcNow()));
    }

    [Fact]
    public void From_CountsOnlyThatAddress()
    {
        var time = new FakeTimeProvider();
        var coalescer = new VerificationCoalescer(time);
        var first = coalescer.Open([1], "192.0.2.1", time.GetUtcNow(), graceable: false);
        coalescer.Open([2], "192.0.2.2", time.GetUtcNow(), graceable: false);
        coalescer.Open([3], "192.0.2.1", time.GetUtcNow(), graceable: false);

        var (count, oldest) = coalescer.From("192.0.2.1");

        Assert.Equal(2, count);
        Assert.Same(first, oldest);
    }

    [Fact]
    public void Remember_RetriedReport_AnsweredOnce()
    {
        var coalescer = new VerificationCoalescer(new FakeTimeProvider());
        var id = Guid.NewGuid();
        var decision = new Gateway.Contracts.CredentialDecision { Outcome = Gateway.Contracts.CredentialOutcome.Allowed };

        coalescer.Remember(id, decision);

        Assert.True(coalescer.TryGetReported(id, out var again));
        Assert.Same(decision, again);
    }
}
