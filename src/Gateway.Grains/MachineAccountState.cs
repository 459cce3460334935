namespace Gateway.Grains;

/// <summary>
/// What a machine account's grain persists (grain storage <c>gateway</c>): the SHA-256 of its secret, never the
/// secret; its scopes, lifetime and revocation. A revoked account keeps its record (for operators) until re-created.
/// </summary>
[GenerateSerializer, Alias("gw.MachineAccountState")]
public sealed class MachineAccountState
{
    /// <summary>SHA-256 of the secret; null when the account was never created.</summary>
    [Id(0)] public byte[]? SecretHash { get; set; }

    /// <summary>The most the account may be granted.</summary>
    [Id(1)] public List<string> Scopes { get; set; } = [];

    /// <summary>When it was created: tokens issued before are not its tokens.</summary>
    [Id(2)] public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When it stops working.</summary>
    [Id(3)] public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>When it was revoked.</summary>
    [Id(4)] public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>When it last authenticated, to the hour.</summary>
    [Id(5)] public DateTimeOffset? LastUsedAt { get; set; }

    /// <summary>The operator's note.</summary>
    [Id(6)] public string? Description { get; set; }
}
