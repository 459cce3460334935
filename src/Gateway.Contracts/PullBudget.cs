namespace Gateway.Contracts;

/// <summary>The pull limit and what is left of it, reported with Docker Hub's headers.</summary>
[GenerateSerializer, Immutable, Alias("gw.PullBudget")]
public sealed record PullBudget
{
    /// <summary>Pulls allowed per window.</summary>
    [Id(0)] public required int Limit { get; init; }

    /// <summary>Pulls left in the current window.</summary>
    [Id(1)] public required int Remaining { get; init; }

    /// <summary>The window's length.</summary>
    [Id(2)] public required TimeSpan Window { get; init; }
}
