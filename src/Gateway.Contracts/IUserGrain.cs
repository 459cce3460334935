namespace Gateway.Contracts;

/// <summary>
/// One grain per user name. The edge calls it once per request with a keyed fingerprint of the
/// credential (never the password); the grain answers from its cache, or hands out one verification
/// ticket and makes concurrent requests with the same credential wait for that one bcrypt.
/// </summary>
public interface IUserGrain : IGrainWithStringKey
{
    /// <summary>Decides a request's credential: allowed from the cache, denied, or to be verified by the caller.</summary>
    Task<CredentialDecision> CheckAsync(CredentialCheck check);

    /// <summary>
    /// Reports the outcome of the verification a <see cref="CredentialOutcome.VerifyRequired"/> decision asked for, and
    /// answers the request's final decision (allowed, denied, or rate limited).
    /// </summary>
    Task<CredentialDecision> ReportAsync(VerificationReport report);

    /// <summary>
    /// Decides a request authenticated by a token the gateway issued (no password): revocation, the address block, the
    /// rate limits, and for grants the locks. Answers <see cref="CredentialOutcome.Allowed"/>, <see cref="CredentialOutcome.Denied"/>
    /// (<see cref="DenialReason.TokenRevoked"/>), <see cref="CredentialOutcome.Locked"/> or <see cref="CredentialOutcome.RateLimited"/>.
    /// </summary>
    Task<CredentialDecision> AdmitAsync(Admission admission);

    /// <summary>Revokes every refresh and access token issued to the user until now; later logins get new ones.</summary>
    Task<UserStatus> RevokeTokensAsync();

    /// <summary>The user's lockout and rate state, for operators.</summary>
    Task<UserStatus> GetStatusAsync();

    /// <summary>Clears the user's locks and failures: for one client address, or everywhere when null.</summary>
    Task<UserStatus> UnlockAsync(string? clientAddress);

    /// <summary>
    /// Deletes the user's stored lockout state when nothing in it matters any more (failures out of the window, locks
    /// long over; no known-good address or token revocation), else schedules the next look. Called by the state sweeper.
    /// </summary>
    Task ForgetIfIdleAsync();
}
