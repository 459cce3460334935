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

    /// <summary>Every invalid value, each message naming its key.</summary>
    public IReadOnlyList<string> Validate()
    {
        var failures = new List<string>();
        Check(failures, nameof(Requests), Requests);
        Check(failures, nameof(Pulls), Pulls);
        return failures;
    }

    private static void Check(List<string> failures, string name, RateLimitRule rule)
    {
        if (rule.Limit is < 1 or > 100_000_000)
        {
            failures.Add($"{SectionName}:{name}:Limit must be between 1 and 100000000, or unset for no limit (was {rule.Limit}).");
        }

        if (rule.Window < TimeSpan.FromSeconds(1) || rule.Window > TimeSpan.FromDays(31))
        {
            failures.Add($"{SectionName}:{name}:Window must be between 00:00:01 and 31.00:00:00 (was {rule.Window}).");
        }
    }
}
