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
}
