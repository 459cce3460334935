namespace Gateway.Contracts;

/// <summary>A user grain's decision for one request.</summary>
[GenerateSerializer, Immutable, Alias("gw.CredentialDecision")]
public sealed record CredentialDecision
{
    /// <summary>The outcome.</summary>
    [Id(0)] public required CredentialOutcome Outcome { get; init; }

    /// <summary>The ticket to report with, when <see cref="Outcome"/> is <see cref="CredentialOutcome.VerifyRequired"/>.</summary>
    [Id(1)] public Guid Ticket { get; init; }

    /// <summary>True when the answer came from the cache (no bcrypt anywhere for this request).</summary>
    [Id(2)] public bool CacheHit { get; init; }

    /// <summary>True when this request waited for a concurrent verification of the same credential.</summary>
    [Id(3)] public bool Coalesced { get; init; }

    /// <summary>Why the request was refused, for <see cref="CredentialOutcome.Locked"/> and <see cref="CredentialOutcome.RateLimited"/>.</summary>
    [Id(4)] public DenialReason Reason { get; init; }

    /// <summary>When the client may try again (locks and limits).</summary>
    [Id(5)] public TimeSpan RetryAfter { get; init; }

    /// <summary>When a lock ends.</summary>
    [Id(6)] public DateTimeOffset? LockedUntil { get; init; }

    /// <summary>The failed attempts that caused a lock.</summary>
    [Id(7)] public int Failures { get; init; }

    /// <summary>The pull budget, on manifest requests when a pull limit is set.</summary>
    [Id(8)] public PullBudget? Pulls { get; init; }

    /// <summary>The limit and window of a refused rate (for the message).</summary>
    [Id(9)] public int Limit { get; init; }

    /// <summary>The window of a refused rate (for the message).</summary>
    [Id(10)] public TimeSpan Window { get; init; }

    /// <summary>
    /// For a machine account, the most it may ever be granted (<c>type:name-glob:actions</c> each), on top of the ACL;
    /// null for users, whom only the ACL limits.
    /// </summary>
    [Id(11)] public IReadOnlyList<string>? Scopes { get; init; }

    /// <summary>The labels cached with the credential (see <see cref="VerificationReport.Labels"/>), on an allowed decision.</summary>
    [Id(12)] public IReadOnlyDictionary<string, string[]>? Labels { get; init; }
}
