namespace Gateway.Registry.Policies;

/// <summary>Per-user rate limits (section <c>Gateway:RateLimit</c>), enforced exactly for the whole cluster by the user grains.</summary>
public sealed class RateLimitOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Gateway:RateLimit";

    /// <summary>All authenticated <c>/v2/</c> requests of a user (<c>Gateway:RateLimit:Requests:Limit</c> per <c>…:Window</c>).</summary>
    public RateLimitRule Requests { get; set; } = new();

    /// <summary>
    /// Pulls of a user: manifest GETs, what Docker Hub counts (HEAD does not count). Reported on manifest GET and HEAD
    /// with Docker Hub's <c>ratelimit-limit</c>, <c>ratelimit-remaining</c> and <c>docker-ratelimit-source</c> headers.
    /// </summary>
    public RateLimitRule Pulls { get; set; } = new() { Window = TimeSpan.FromHours(6) };
}
