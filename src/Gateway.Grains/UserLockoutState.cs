namespace Gateway.Grains;

/// <summary>
/// What a user grain persists (grain storage <c>gateway</c>: Redis with the redis provider, memory otherwise): locks
/// and failures, never a credential or fingerprint. Written only when it changes.
/// </summary>
[GenerateSerializer, Alias("gw.UserLockoutState")]
public sealed class UserLockoutState
{
    /// <summary>Per client address key.</summary>
    [Id(0)] public Dictionary<string, LockoutEntry> Pairs { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The user over all addresses.</summary>
    [Id(1)] public LockoutEntry User { get; set; } = new();

    /// <summary>When the user last authenticated from each address key (at most <see cref="UserLockout.MaxKnownGoodAddresses"/>).</summary>
    [Id(2)] public Dictionary<string, DateTimeOffset> Successes { get; set; } = new(StringComparer.Ordinal);

    /// <summary>When the user-wide failures being counted began.</summary>
    [Id(3)] public DateTimeOffset? FailuresBeganAt { get; set; }

    /// <summary>When an operator last revoked the user's tokens.</summary>
    [Id(4)] public DateTimeOffset? TokensRevokedAt { get; set; }
}
