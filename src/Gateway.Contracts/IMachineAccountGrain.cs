namespace Gateway.Contracts;

/// <summary>
/// One grain per machine account (a CI robot): a long-lived, scoped, revocable credential. The grain keeps only the
/// SHA-256 of the account's secret (256 random bits, generated and shown once by the edge's admin endpoint), its
/// scopes and its expiry; it authenticates requests in constant time and applies the same rate limits as a user's.
/// </summary>
public interface IMachineAccountGrain : IGrainWithStringKey
{
    /// <summary>Creates the account, or replaces a revoked or expired one; answers null when an active account of that name exists.</summary>
    Task<MachineAccountInfo?> CreateAsync(MachineAccountSpec spec);

    /// <summary>The account (a revoked one shows when it was revoked), or null when it was never created.</summary>
    Task<MachineAccountInfo?> GetAsync();

    /// <summary>Revokes the account and every token issued to it; answers what was revoked, or null when there was none.</summary>
    Task<MachineAccountInfo?> RevokeAsync();

    /// <summary>
    /// Decides a request presenting the account's secret: <see cref="CredentialOutcome.Allowed"/> with the account's
    /// <see cref="CredentialDecision.Scopes"/>, <see cref="CredentialOutcome.Denied"/> (wrong secret, no such account,
    /// revoked or expired: all alike), <see cref="CredentialOutcome.Locked"/> (address blocked) or
    /// <see cref="CredentialOutcome.RateLimited"/>.
    /// </summary>
    Task<CredentialDecision> AuthenticateAsync(MachineCheck check);

    /// <summary>Decides a request carrying a token issued to the account: denied once the account is revoked, expired or re-created.</summary>
    Task<CredentialDecision> AdmitAsync(Admission admission);
}
