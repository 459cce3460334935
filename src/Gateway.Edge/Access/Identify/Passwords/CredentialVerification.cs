namespace Gateway.Edge.Access.Identify.Passwords;

/// <summary>What a <see cref="ICredentialVerifier"/> found.</summary>
/// <param name="Outcome">Valid, invalid or unavailable.</param>
/// <param name="Labels">The account's labels (an LDAP user's groups, a token's mapped claims), for the ACL; empty when none.</param>
/// <param name="ValidUntil">When the verification stops holding (a token's expiry), or null: the source's cache lifetime alone bounds it.</param>
public sealed record CredentialVerification(VerificationOutcome Outcome, IReadOnlyDictionary<string, IReadOnlyList<string>> Labels, DateTimeOffset? ValidUntil)
{
    /// <summary>A good credential without labels or expiry.</summary>
    public static CredentialVerification Valid { get; } = new(VerificationOutcome.Valid, IdentityLabels.None, null);

    /// <summary>Unknown user or wrong credential.</summary>
    public static CredentialVerification Invalid { get; } = new(VerificationOutcome.Invalid, IdentityLabels.None, null);

    /// <summary>The source could not answer.</summary>
    public static CredentialVerification Unavailable { get; } = new(VerificationOutcome.Unavailable, IdentityLabels.None, null);

    /// <summary>How long past the cache lifetime the credential still counts while the source is down (zero: never).</summary>
    public TimeSpan OutageGrace { get; init; }

    /// <summary>How long the grain may answer this verification from its cache; null: the gateway's default (<see cref="AuthOptions.CacheTtl"/>).</summary>
    public TimeSpan? CacheFor { get; init; }
}
