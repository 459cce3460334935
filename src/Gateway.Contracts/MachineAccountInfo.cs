namespace Gateway.Contracts;

/// <summary>A machine account as operators see it: never its secret nor the secret's hash.</summary>
[GenerateSerializer, Immutable, Alias("gw.MachineAccountInfo")]
public sealed record MachineAccountInfo
{
    /// <summary>The account's name (without the user-name prefix).</summary>
    [Id(0)] public required string Name { get; init; }

    /// <summary>The most the account may be granted.</summary>
    [Id(1)] public required IReadOnlyList<string> Scopes { get; init; }

    /// <summary>When it was created.</summary>
    [Id(2)] public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it stops working.</summary>
    [Id(3)] public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>When it was revoked, if it was.</summary>
    [Id(4)] public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>When it last authenticated (to the hour).</summary>
    [Id(5)] public DateTimeOffset? LastUsedAt { get; init; }

    /// <summary>The operator's note.</summary>
    [Id(6)] public string? Description { get; init; }
}
