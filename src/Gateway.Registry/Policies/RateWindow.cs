namespace Gateway.Registry.Policies;

/// <summary>The budget of one fixed window: when it started and how much of it was used.</summary>
/// <param name="Start">When the window started (the first counted request).</param>
/// <param name="Used">Requests counted in it.</param>
public readonly record struct RateWindow(DateTimeOffset Start, int Used);
