using Gateway.Registry.Credentials;

namespace Gateway.Edge.Access.Identify.Passwords;

// Temporary copy of the access pipeline's contract (issue 15), deleted when that pipeline lands on main.

/// <summary>Verifies a password-like credential against its source on a cache miss.</summary>
public interface ICredentialVerifier
{
    /// <summary>Verifies a user name and password (or token) on a cache miss. Never throws for a wrong credential or an outage.</summary>
    ValueTask<CredentialVerification> VerifyAsync(string userName, Secret password, CancellationToken cancellationToken);
}
