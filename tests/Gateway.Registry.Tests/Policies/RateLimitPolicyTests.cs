using Gateway.Registry.Policies;

namespace Gateway.Registry.Tests.Policies;

public sealed class RateLimitPolicyTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly RateLimitRule Rule = new() { Limit = 3, Window = TimeSpan.FromMinutes(1) };

    [Fact]
    public void TryAcquire_FirstRequest_AcquiredAndWindowStartsNow()
    {
        var window = default(RateWindow);

        var lease = RateLimitPolicy.TryAcquire(ref window, Rule, T0);

        Assert.True(lease.Acquired);
        Assert.Equal(3, lease.Limit);
        Assert.Equal(2, lease.Remaining);
        Assert.Equal(Rule.Window, lease.Window);
        Assert.Equal(Rule.Window, lease.ResetsIn);
        Assert.Equal(new RateWindow(T0, 1), window);
    }

    [Fact]
    public void TryAcquire_WithinLimit_RemainingCountsDown()
    {
        var window = default(RateWindow);

        var remaining = Enumerable.Range(0, 3)
            .Select(i => RateLimitPolicy.TryAcquire(ref window, Rule, T0.AddSeconds(i)))
            .Select(l => (l.Acquired, l.Remaining))
            .ToList();

        Assert.Equal(new[] { (true, 2), (true, 1), (true, 0) }, remaining);
    }

    [Fact]
    public void TryAcquire_OverLimit_RefusedWithTimeUntilWindowEnds()
    {
        var window = default(RateWindow);
        for (var i = 0; i < 3; i++)
        {
            RateLimitPolicy.TryAcquire(ref window, Rule, T0);
        }

        var refused = RateLimitPolicy.TryAcquire(ref window, Rule, T0.AddSeconds(20));
        var again = RateLimitPolicy.TryAcquire(ref window, Rule, T0.AddSeconds(59));

        Assert.False(refused.Acquired);
        Assert.Equal(0, refused.Remaining);
        Assert.Equal(3, refused.Limit);
        Assert.Equal(TimeSpan.FromSeconds(40), refused.ResetsIn);
        Assert.False(again.Acquired);
        Assert.Equal(TimeSpan.FromSeconds(1), again.ResetsIn);
        Assert.Equal(new RateWindow(T0, 3), window); // refusals are not counted
    }

    [Fact]
    public void TryAcquire_FixedWindow_DoesNotSlideWithLaterRequests()
    {
        // Fixed window: it starts with the first request; requests later in it do not extend it.
        var window = default(RateWindow);
        RateLimitPolicy.TryAcquire(ref window, Rule, T0);
        RateLimitPolicy.TryAcquire(ref window, Rule, T0.AddSeconds(50));
        RateLimitPolicy.TryAcquire(ref window, Rule, T0.AddSeconds(55));

        var atEnd = RateLimitPolicy.TryAcquire(ref window, Rule, T0 + Rule.Window);

        Assert.True(atEnd.Acquired);
        Assert.Equal(2, atEnd.Remaining);
        Assert.Equal(new RateWindow(T0 + Rule.Window, 1), window);
    }

    [Fact]
    public void TryAcquire_AfterWindowExpired_NewWindowWithFullBudget()
    {
        var window = default(RateWindow);
        for (var i = 0; i < 4; i++)
        {
            RateLimitPolicy.TryAcquire(ref window, Rule, T0);
        }

        var justBefore = RateLimitPolicy.TryAcquire(ref window, Rule, T0 + Rule.Window - TimeSpan.FromTicks(1));
        var later = T0 + Rule.Window + TimeSpan.FromSeconds(30);
        var after = RateLimitPolicy.TryAcquire(ref window, Rule, later);

        Assert.False(justBefore.Acquired);
        Assert.True(after.Acquired);
        Assert.Equal(2, after.Remaining);
        Assert.Equal(Rule.Window, after.ResetsIn);
        Assert.Equal(new RateWindow(later, 1), window);
    }

    [Fact]
    public void TryAcquire_ClockWentBackBeforeWindowStart_NewWindow()
    {
        var window = new RateWindow(T0, 3);

        var lease = RateLimitPolicy.TryAcquire(ref window, Rule, T0.AddSeconds(-5));

        Assert.True(lease.Acquired);
        Assert.Equal(new RateWindow(T0.AddSeconds(-5), 1), window);
    }

    [Fact]
    public void Peek_FreshWindow_FullBudgetWithoutCounting()
    {
        var window = default(RateWindow);

        var peek = RateLimitPolicy.Peek(window, Rule, T0);

        Assert.True(peek.Acquired);
        Assert.Equal(3, peek.Remaining);
        Assert.Equal(Rule.Window, peek.ResetsIn);
        Assert.Equal(default, window);
    }

    [Fact]
    public void Peek_Repeatedly_DoesNotConsume()
    {
        var window = default(RateWindow);
        RateLimitPolicy.TryAcquire(ref window, Rule, T0);

        var peeks = Enumerable.Range(0, 10).Select(_ => RateLimitPolicy.Peek(window, Rule, T0.AddSeconds(10))).ToList();
        var next = RateLimitPolicy.TryAcquire(ref window, Rule, T0.AddSeconds(10));

        Assert.All(peeks, p =>
        {
            Assert.True(p.Acquired);
            Assert.Equal(2, p.Remaining);
            Assert.Equal(TimeSpan.FromSeconds(50), p.ResetsIn);
        });
        Assert.True(next.Acquired);
        Assert.Equal(1, next.Remaining);
    }

    [Fact]
    public void Peek_BudgetUsedUp_NotAcquiredWithZeroRemaining()
    {
        var window = default(RateWindow);
        for (var i = 0; i < 3; i++)
        {
            RateLimitPolicy.TryAcquire(ref window, Rule, T0);
        }

        var peek = RateLimitPolicy.Peek(window, Rule, T0.AddSeconds(15));

        Assert.False(peek.Acquired);
        Assert.Equal(0, peek.Remaining);
        Assert.Equal(TimeSpan.FromSeconds(45), peek.ResetsIn);
    }

    [Fact]
    public void Peek_WindowExpired_FullBudget()
    {
        var window = default(RateWindow);
        for (var i = 0; i < 3; i++)
        {
            RateLimitPolicy.TryAcquire(ref window, Rule, T0);
        }

        var peek = RateLimitPolicy.Peek(window, Rule, T0 + Rule.Window);

        Assert.True(peek.Acquired);
        Assert.Equal(3, peek.Remaining);
        Assert.Equal(Rule.Window, peek.ResetsIn);
    }

    [Fact]
    public void TryAcquire_UnlimitedRule_AlwaysAcquired()
    {
        var unlimited = new RateLimitRule { Window = TimeSpan.FromSeconds(1) };
        var window = default(RateWindow);

        var leases = Enumerable.Range(0, 10_000).Select(_ => RateLimitPolicy.TryAcquire(ref window, unlimited, T0)).ToList();

        Assert.False(unlimited.IsLimited);
        Assert.All(leases, l => Assert.True(l.Acquired));
        Assert.Equal(int.MaxValue - 10_000, leases[^1].Remaining);
        Assert.True(RateLimitPolicy.Peek(window, unlimited, T0).Acquired);
    }

    [Fact]
    public void RateLimitRule_Defaults_UnlimitedWithOneHourWindow()
    {
        var rule = new RateLimitRule();

        Assert.Null(rule.Limit);
        Assert.False(rule.IsLimited);
        Assert.Equal(TimeSpan.FromHours(1), rule.Window);
    }
}
