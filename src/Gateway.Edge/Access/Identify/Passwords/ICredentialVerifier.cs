using Gateway.Registry.Credentials;

namespace Gateway.Edge.Access.Identify.Passwords;

/// <summary>
/// An identity source that checks a user name and a password (or a token given as the password): htpasswd's bcrypt, a
/// directory bind, a federated token's signature. It runs only on a cache miss of <see cref="GrainCachedPasswords"/>,
/// which owns caching, coalescing, lockouts and limits: a verifier only answers whether the credential is good.
/// </summary>
public interface ICredentialVerifier
{
    /// <summary>
    /// Verifies a credential. Never throws for a wrong credential or an outage: those are
    /// <see cref="VerificationOutcome.Invalid"/> and <see cref="VerificationOutcome.Unavailable"/>.
    /// </summary>
    ValueTask<CredentialVerification> VerifyAsync(string userName, Secret password, CancellationToken cancellationToken);

    /// <summary>
    /// Text mixed into the credential's keyed fingerprint: when it changes, a cached verification no longer answers
    /// (htpasswd: the user's entry, so a changed password or a removed user misses at once). Default: the source alone.
    /// </summary>
    string FingerprintContext(string userName) => GetType().Name;

    /// <summary>
    /// Holds a failure's answer so that it takes as long as any other (an unknown user and a wrong password must look and
    /// cost the same). <paramref name="spent"/> is what the verification took; zero when none ran. Default: no padding.
    /// </summary>
    ValueTask PadFailureAsync(TimeSpan spent, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
