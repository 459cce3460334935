namespace Gateway.Contracts;

/// <summary>One user's state for one client address.</summary>
[GenerateSerializer, Immutable, Alias("gw.PairStatus")]
public sealed record PairStatus
{
    /// <summary>The address key.</summary>
    [Id(0)] public required string Address { get; init; }

    /// <summary>Failures in the current window.</summary>
    [Id(1)] public required int Failures { get; init; }

    /// <summary>When the lock ends, while locked.</summary>
    [Id(2)] public DateTimeOffset? LockedUntil { get; init; }

    /// <summary>Locks in a row (each doubles the next).</summary>
    [Id(3)] public int Locks { get; init; }
}
