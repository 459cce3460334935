using System.Diagnostics;

namespace Gateway.Grains;

/// <summary>
/// The clock of a silo's membership loops (<c>TimeProviderNames.Membership</c>): the system clock, except that its
/// timestamps count from its first use instead of from the machine's boot.
/// </summary>
/// <remarks>
/// Orleans' silo watchdog (10.4.2) starts its platform thread before it sets the participant-check timestamp, so that
/// thread's first tick can measure from timestamp 0, i.e. from the machine's boot: "Participant check thread has not
/// completed for 00:09:02" at start-up on any machine up for more than 20 s, recorded as a health complaint too. With
/// timestamps counted from the first use, an unset timestamp measures from the silo's start; the differences between
/// real timestamps, and so every timeout, are unchanged (no timestamp is ever 0).
/// </remarks>
public sealed class MembershipClock : TimeProvider
{
    private long _origin;

    /// <inheritdoc />
    public override long GetTimestamp()
    {
        var now = Stopwatch.GetTimestamp();
        var origin = Interlocked.Read(ref _origin);
        if (origin == 0)
        {
            Interlocked.CompareExchange(ref _origin, now - 1, 0);
            origin = Interlocked.Read(ref _origin);
        }

        return now - origin;
    }
}
