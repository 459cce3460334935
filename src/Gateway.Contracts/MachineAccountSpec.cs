namespace Gateway.Contracts;

/// <summary>What an operator asks for when creating a machine account.</summary>
[GenerateSerializer, Immutable, Alias("gw.MachineAccountSpec")]
public sealed record MachineAccountSpec
{
    /// <summary>SHA-256 of the secret (the secret itself never leaves the edge that generated it).</summary>
    [Id(0)] public required byte[] SecretHash { get; init; }

    /// <summary>The most the account may be granted: <c>type:name-glob:actions</c> each, validated by the edge.</summary>
    [Id(1)] public required IReadOnlyList<string> Scopes { get; init; }

    /// <summary>When the account stops working.</summary>
    [Id(2)] public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>A note for operators (who uses it, a ticket).</summary>
    [Id(3)] public string? Description { get; init; }

    /// <summary>Never prints the hash.</summary>
    public override string ToString() => $"MachineAccountSpec {{ Scopes = {string.Join(' ', Scopes)}, ExpiresAt = {ExpiresAt:u} }}";
}
