namespace Gateway.Contracts;

/// <summary>The state of one user, for operators (never a credential or fingerprint).</summary>
[GenerateSerializer, Immutable, Alias("gw.UserStatus")]
public sealed record UserStatus
{
    /// <summary>The user name.</summary>
    [Id(0)] public required string User { get; init; }

    /// <summary>Failures from all addresses in the current window.</summary>
    [Id(1)] public required int Failures { get; init; }

    /// <summary>When the user-wide lock ends, while locked.</summary>
    [Id(2)] public DateTimeOffset? LockedUntil { get; init; }

    /// <summary>Per client address: failures and locks.</summary>
    [Id(3)] public required IReadOnlyList<PairStatus> Addresses { get; init; }

    /// <summary>Addresses the user authenticated from (exempt from a user-wide lock if before the failures began).</summary>
    [Id(4)] public required IReadOnlyList<string> KnownGoodAddresses { get; init; }

    /// <summary>Requests left in the current window, when a request limit is set.</summary>
    [Id(5)] public int? RequestsRemaining { get; init; }

    /// <summary>Pulls left in the current window, when a pull limit is set.</summary>
    [Id(6)] public int? PullsRemaining { get; init; }

    /// <summary>True when a verified credential is cached.</summary>
    [Id(7)] public bool CredentialCached { get; init; }

    /// <summary>When an operator last revoked the user's tokens: refresh and access tokens issued until then are refused.</summary>
    [Id(8)] public DateTimeOffset? TokensRevokedAt { get; init; }
}
