using Gateway.Edge.Access.Identify.Passwords;
using Gateway.Registry.Credentials;

namespace Gateway.Edge.Access.Identify.Htpasswd;

/// <summary>
/// Checks a password against the htpasswd file with bcrypt. An unknown user is checked against the file's dummy hash
/// (at the file's highest cost), so it costs and answers exactly as a wrong password; every failure is then held to the
/// time of a verification at that cost (<see cref="FailurePadding"/>).
/// </summary>
public sealed class HtpasswdVerifier(HtpasswdStore store, BcryptVerifier bcrypt, FailurePadding padding) : ICredentialVerifier
{
    /// <inheritdoc />
    public async ValueTask<CredentialVerification> VerifyAsync(string userName, Secret password, CancellationToken cancellationToken)
    {
        var snapshot = store.Current;
        var entry = snapshot.Find(userName);
        var (matched, _) = await bcrypt.VerifyAsync(password, entry?.Hash ?? snapshot.DummyHash, cancellationToken).ConfigureAwait(false);
        return matched && entry is not null ? CredentialVerification.Valid : CredentialVerification.Invalid;
    }

    /// <summary>The user's entry (or the dummy hash): a changed password or a removed user misses the cache at once.</summary>
    public string FingerprintContext(string userName)
    {
        var snapshot = store.Current;
        return snapshot.Find(userName)?.Hash ?? snapshot.DummyHash;
    }

    /// <inheritdoc />
    public async ValueTask PadFailureAsync(TimeSpan spent, CancellationToken cancellationToken) =>
        await padding.PadAsync(spent, BcryptHash.TryGetCost(store.Current.DummyHash) ?? 0, cancellationToken).ConfigureAwait(false);
}
