using Gateway.Edge.Access.Identify.Passwords;

namespace Gateway.Edge.Access.Identify.Htpasswd;

/// <summary>
/// Users of the htpasswd file (<see cref="AuthOptions.HtpasswdFile"/>), through the grains' credential cache: bcrypt runs
/// on this edge only when the user's grain has not seen the credential verified within the cache lifetime and no lock
/// refuses it. It answers every Basic credential that reaches it, known user or not, so that an unknown user costs,
/// counts and answers exactly as a wrong password.
/// </summary>
public sealed class HtpasswdIdentityProvider(GrainCachedPasswords passwords, HtpasswdVerifier verifier) : IIdentityProvider
{
    /// <summary>The name in <c>Gateway:Auth:Providers</c>.</summary>
    public const string ProviderName = "htpasswd";

    /// <inheritdoc />
    public string Name => ProviderName;

    /// <inheritdoc />
    public ValueTask<IdentityResult> IdentifyAsync(AccessRequest request, CancellationToken cancellationToken) =>
        request.Basic is { } credentials
            ? passwords.IdentifyAsync(request, credentials.UserName, credentials, verifier, cancellationToken)
            : ValueTask.FromResult(IdentityResult.NotMine);
}
