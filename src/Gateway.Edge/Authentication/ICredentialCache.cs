using Gateway.Contracts;

namespace Gateway.Edge.Authentication;

/// <summary>The cluster-wide credential cache, lockouts and limits: in production the user grains; in tests a double.</summary>
public interface ICredentialCache
{
    /// <summary>Asks the user's grain to decide a credential.</summary>
    Task<CredentialDecision> CheckAsync(string userName, CredentialCheck check);

    /// <summary>Tells the user's grain how a verification it asked for ended; answers the request's final decision.</summary>
    Task<CredentialDecision> ReportAsync(string userName, VerificationReport report);
}
