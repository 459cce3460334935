using Gateway.Edge.Access;
using Gateway.Edge.Access.Admit;
using Gateway.Edge.Access.Identify.Htpasswd;
using Gateway.Edge.Access.Identify.Passwords;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Edge.Tests.Authentication;

public sealed class FailurePaddingTests
{
    [Fact]
    public void Expected_MeasuredCost_TheMovingAverage()
    {
        var padding = new FailurePadding(new FakeTimeProvider());
        padding.Observe(10, TimeSpan.FromMilliseconds(80));
        padding.Observe(10, TimeSpan.FromMilliseconds(100));

        Assert.Equal(84, padding.Expected(10).TotalMilliseconds, 1);
    }

    [Fact]
    public void Expected_CostNeverMeasured_ScaledFromTheHighestMeasuredByTwoPerStep()
    {
        var padding = new FailurePadding(new FakeTimeProvider());
        padding.Observe(4, TimeSpan.FromMilliseconds(1));
        padding.Observe(10, TimeSpan.FromMilliseconds(80));

        Assert.Equal(320, padding.Expected(12).TotalMilliseconds, 1);
        Assert.Equal(TimeSpan.Zero, new FailurePadding(new FakeTimeProvider()).Expected(12));
    }

    [Fact]
    public async Task PadAsync_CheapFailure_HeldUntilTheHighestCostsTime_ExpensiveOneNot()
    {
        var time = new FakeTimeProvider();
        var padding = new FailurePadding(time);
        padding.Observe(12, TimeSpan.FromMilliseconds(300));

        var cheap = padding.PadAsync(TimeSpan.FromMilliseconds(2), 12, CancellationToken.None);
        var expensive = padding.PadAsync(TimeSpan.FromMilliseconds(310), 12, CancellationToken.None);

        Assert.True(expensive.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(297));
        Assert.False(cheap.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await cheap.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(32)]
    public void Observe_CostOutsideBcrypts_Ignored(int cost)
    {
        var padding = new FailurePadding(new FakeTimeProvider());
        padding.Observe(cost, TimeSpan.FromMilliseconds(5));

        Assert.Equal(TimeSpan.Zero, padding.Expected(10));
    }
}
