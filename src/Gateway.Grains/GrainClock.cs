namespace Gateway.Grains;

/// <summary>
/// The clock the gateway's grains decide with (lock windows, expiries, rate windows). Separate from the
/// <see cref="TimeProvider"/> the Orleans runtime resolves for itself, so tests can move the grains' time by hand
/// without stopping the runtime's own timers.
/// </summary>
/// <param name="Time">The time source; <see cref="TimeProvider.System"/> in production.</param>
public sealed record GrainClock(TimeProvider Time)
{
    /// <summary>The system clock.</summary>
    public static GrainClock System { get; } = new(TimeProvider.System);
}
