using Gateway.Edge.Access.Identify.Passwords;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Access.Identify.Federation;

/// <summary>
/// A CI job's OpenID Connect token given as the Basic password (<c>docker login -u oidc -p "$TOKEN"</c>; the user name is
/// not used): read unverified to find its account (<c>AccountTemplate</c>), then through the grain-cached password flow
/// with that account as the grain key, so a push validates its token once (until its <c>exp</c>, never longer) and the
/// account's locks, limits and revocation apply. Takes only passwords that are JWS compact tokens; anything else goes to
/// the next provider, so list it before <c>htpasswd</c> in <c>Gateway:Auth:Providers</c>. A token that maps to no
/// account is counted against the user name it came with (and so against the client address).
/// </summary>
public sealed class FederationIdentityProvider(GrainCachedPasswords passwords, FederatedTokenValidator validator, FederatedCredentialVerifier verifier, IOptions<FederationOptions> options) : IIdentityProvider
{
    /// <summary>The name in <c>Gateway:Auth:Providers</c>.</summary>
    public const string ProviderName = "federation";

    /// <inheritdoc />
    public string Name => ProviderName;

    /// <inheritdoc />
    public async ValueTask<IdentityResult> IdentifyAsync(AccessRequest request, CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled || request.Basic is not { } credentials)
        {
            return IdentityResult.NotMine;
        }

        var token = credentials.Password.Reveal();
        if (!CompactJws.LooksLikeJws(token))
        {
            return IdentityResult.NotMine;
        }

        var peek = await validator.PeekAsync(token, cancellationToken).ConfigureAwait(false);
        var account = peek.Validation.Account ?? credentials.UserName;
        var result = await passwords.IdentifyAsync(request, account, credentials, new FederatedTokenCheck(verifier, peek), cancellationToken).ConfigureAwait(false);

        // Identified means the grain has this exact token (its fingerprint) as verified, so its exp can be trusted: tokens
        // the gateway issues for it must not outlive it.
        return result.Status == IdentityStatus.Identified
            ? IdentityResult.Identified(result.Identity! with { ValidUntil = peek.Validation.ExpiresAt })
            : result;
    }
}
