namespace Gateway.Registry.Policies;

/// <summary>A lock that a failure caused.</summary>
/// <param name="Until">When it ends.</param>
/// <param name="Failures">The failures that caused it.</param>
/// <param name="LockNumber">1 for the first lock in a row, 2 for the second (twice as long), …</param>
public readonly record struct LockoutEvent(DateTimeOffset Until, int Failures, int LockNumber);
