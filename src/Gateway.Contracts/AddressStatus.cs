namespace Gateway.Contracts;

/// <summary>The state of one client address.</summary>
[GenerateSerializer, Immutable, Alias("gw.AddressStatus")]
public sealed record AddressStatus
{
    /// <summary>The address key (IPv4, or an IPv6 /64).</summary>
    [Id(0)] public required string Address { get; init; }

    /// <summary>Failures counted in the current window.</summary>
    [Id(1)] public required int Failures { get; init; }

    /// <summary>When the block ends, while blocked.</summary>
    [Id(2)] public DateTimeOffset? BlockedUntil { get; init; }

    /// <summary>Blocks in a row (each doubles the next).</summary>
    [Id(3)] public int Blocks { get; init; }

    /// <summary>True while blocked.</summary>
    public bool IsBlocked => BlockedUntil is not null;
}
