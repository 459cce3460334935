namespace Gateway.Registry.Policies;

/// <summary>The answer of <see cref="RateLimitPolicy"/>: acquired or not, and what is left.</summary>
/// <param name="Acquired">True when the request may go on.</param>
/// <param name="Limit">The limit.</param>
/// <param name="Remaining">Requests left in the window after this one.</param>
/// <param name="Window">The window's length.</param>
/// <param name="ResetsIn">Time until the window ends (the Retry-After of a refused request).</param>
public readonly record struct RateLimitLease(bool Acquired, int Limit, int Remaining, TimeSpan Window, TimeSpan ResetsIn);
