// TEMPORARY copy of the issue-15 contract (src/Gateway.Edge/Access/Identify/Passwords), deleted when main has it.
using Gateway.Registry.Credentials;

namespace Gateway.Edge.Access.Identify.Passwords;

/// <summary>Verifies a credential on a cache miss of the grain-cached password flow.</summary>
public interface ICredentialVerifier
{
    /// <summary>Verifies a user name and password (or token) on a cache miss. Never throws for a wrong credential or an outage.</summary>
    ValueTask<CredentialVerification> VerifyAsync(string userName, Secret password, CancellationToken cancellationToken);
}

/// <summary>The outcome of a verification.</summary>
public enum VerificationOutcome
{
    /// <summary>Valid.</summary>
    Valid,

    /// <summary>Invalid.</summary>
    Invalid,

    /// <summary>Undecidable now (503).</summary>
    Unavailable,
}

/// <summary>A verification's result.</summary>
public sealed record CredentialVerification(VerificationOutcome Outcome, IReadOnlyDictionary<string, IReadOnlyList<string>> Labels, DateTimeOffset? ValidUntil);
