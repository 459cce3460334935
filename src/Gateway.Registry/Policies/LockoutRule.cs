namespace Gateway.Registry.Policies;

/// <summary>How many failures within a window lock a subject, and for how long.</summary>
/// <param name="MaxFailures">Failures within <paramref name="Window"/> that lock.</param>
/// <param name="Window">The sliding window.</param>
/// <param name="Duration">The first lock's length; each repeated lock doubles it.</param>
/// <param name="MaxDuration">The longest lock.</param>
public readonly record struct LockoutRule(int MaxFailures, TimeSpan Window, TimeSpan Duration, TimeSpan MaxDuration);
