using Gateway.Edge.Access.Identify.Passwords;
using Gateway.Registry.Credentials;

namespace Gateway.Edge.Access.Identify.Federation;

/// <summary>
/// One request's federated token as the grain-cached flow sees it. Its fingerprint context names the issuer, the key
/// and whether that key is still published, so a validation cached in the grain stops answering once the issuer
/// withdraws the key (seen by this edge at its next key fetch). A token that maps to no account, or whose key is
/// withdrawn, is refused without a signature check, and counted like a wrong password.
/// </summary>
internal sealed class FederatedTokenCheck(FederatedCredentialVerifier verifier, FederatedPeek peek) : ICredentialVerifier
{
    /// <inheritdoc />
    public ValueTask<CredentialVerification> VerifyAsync(string userName, Secret password, CancellationToken cancellationToken) =>
        peek.Validation.Account is not { } account || peek.Key == KeyState.Unpublished
            ? ValueTask.FromResult(CredentialVerification.Invalid)
            : verifier.VerifyAsync(account, password, cancellationToken);

    /// <inheritdoc />
    // An issuer that cannot be reached (Unknowable) keeps the published context: a validation cached before the outage
    // still answers from the grain.
    public string FingerprintContext(string userName) =>
        $"federation/v1\n{peek.Validation.Issuer}\n{peek.KeyId}\n{(peek.Key == KeyState.Unpublished ? "withdrawn" : "published")}";
}
