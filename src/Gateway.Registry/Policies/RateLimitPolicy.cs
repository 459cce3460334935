namespace Gateway.Registry.Policies;

/// <summary>
/// Fixed-window counting: a window starts with the first counted request and lasts <see cref="RateLimitRule.Window"/>;
/// at most <see cref="RateLimitRule.Limit"/> requests are acquired in it. Pure: state + now → lease and new state.
/// </summary>
public static class RateLimitPolicy
{
    /// <summary>Tries to count one request.</summary>
    public static RateLimitLease TryAcquire(ref RateWindow window, RateLimitRule rule, DateTimeOffset now)
    {
        var limit = rule.Limit ?? int.MaxValue;
        if (window.Used == 0 || now >= window.Start + rule.Window || now < window.Start)
        {
            window = new RateWindow(now, 0);
        }

        var resetsIn = window.Start + rule.Window - now;
        if (window.Used >= limit)
        {
            return new RateLimitLease(false, limit, 0, rule.Window, resetsIn);
        }

        window = window with { Used = window.Used + 1 };
        return new RateLimitLease(true, limit, limit - window.Used, rule.Window, resetsIn);
    }

    /// <summary>What is left without counting (for HEAD requests that report the pull budget).</summary>
    public static RateLimitLease Peek(RateWindow window, RateLimitRule rule, DateTimeOffset now)
    {
        var limit = rule.Limit ?? int.MaxValue;
        if (window.Used == 0 || now >= window.Start + rule.Window || now < window.Start)
        {
            return new RateLimitLease(true, limit, limit, rule.Window, rule.Window);
        }

        var remaining = Math.Max(0, limit - window.Used);
        return new RateLimitLease(remaining > 0, limit, remaining, rule.Window, window.Start + rule.Window - now);
    }
}
