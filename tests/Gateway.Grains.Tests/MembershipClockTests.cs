using System.Diagnostics;

namespace Gateway.Grains.Tests;

/// <summary>The silo's membership clock: timestamps from its first use, so an unset (0) timestamp is not "since boot".</summary>
public sealed class MembershipClockTests
{
    [Fact]
    public void GetElapsedTime_FromAnUnsetTimestamp_MeasuresFromTheFirstUse()
    {
        var clock = new MembershipClock();

        var first = clock.GetTimestamp();

        Assert.NotEqual(0, first); // 0 stays "unset"
        Assert.InRange(clock.GetElapsedTime(0), TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.Equal(Stopwatch.Frequency, clock.TimestampFrequency);
    }

    [Fact]
    public void GetTimestamp_Differences_AreTheSystemClocks()
    {
        var clock = new MembershipClock();
        var systemStart = Stopwatch.GetTimestamp();
        var start = clock.GetTimestamp();
        var spin = Stopwatch.StartNew();
        while (spin.ElapsedMilliseconds < 20)
        {
            Thread.SpinWait(100);
        }

        var end = clock.GetTimestamp();
        var systemEnd = Stopwatch.GetTimestamp();

        Assert.True(end - start <= systemEnd - systemStart, "the clock runs no faster than the system's");
        Assert.InRange(clock.GetElapsedTime(start, end), TimeSpan.FromMilliseconds(20), Stopwatch.GetElapsedTime(systemStart, systemEnd));
        Assert.Equal(TimeProvider.System.GetUtcNow().UtcDateTime, clock.GetUtcNow().UtcDateTime, TimeSpan.FromSeconds(1));
    }
}
