using Gateway.Contracts;

namespace Gateway.Edge.Access.Admit;

/// <summary>
/// The cluster-wide credential cache, lockouts, limits and revocations: in production the user and machine-account
/// grains; in tests a double.
/// </summary>
public interface IAccessGrains
{
    /// <summary>Asks the user's grain to decide a credential.</summary>
    Task<CredentialDecision> CheckAsync(string userName, CredentialCheck check);

    /// <summary>Tells the user's grain how a verification it asked for ended; answers the request's final decision.</summary>
    Task<CredentialDecision> ReportAsync(string userName, VerificationReport report);

    /// <summary>Asks the user's grain to admit a request carrying a token issued to the user.</summary>
    Task<CredentialDecision> AdmitUserAsync(string userName, Admission admission);

    /// <summary>Asks a machine account's grain to decide a request presenting its secret.</summary>
    Task<CredentialDecision> AuthenticateMachineAsync(string accountName, MachineCheck check);

    /// <summary>Asks a machine account's grain to admit a request carrying a token issued to the account.</summary>
    Task<CredentialDecision> AdmitMachineAsync(string accountName, Admission admission);
}
