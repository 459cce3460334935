namespace Gateway.Registry.Policies;

/// <summary>At most <see cref="Limit"/> requests per <see cref="Window"/>; no limit when <see cref="Limit"/> is null.</summary>
public sealed class RateLimitRule
{
    /// <summary>Requests allowed per window; unset means unlimited.</summary>
    public int? Limit { get; set; }

    /// <summary>The window. Default: 1 hour.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);

    /// <summary>True when a limit is set.</summary>
    public bool IsLimited => Limit is not null;
}
