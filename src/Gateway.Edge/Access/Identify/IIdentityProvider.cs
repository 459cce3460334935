namespace Gateway.Edge.Access.Identify;

/// <summary>
/// One source of identities: htpasswd users, machine accounts, tokens the gateway issued, anonymous clients (and next:
/// a directory, federated CI tokens). It reads the request's credentials and answers
/// <see cref="IdentityResult.NotMine"/>, an identity the grains admitted (locks, limits and revocation are one grain
/// call, made by the provider since for passwords it is also the cache), or a refusal value that
/// <see cref="Answer.AccessAnswers"/> writes. A provider lives in its own folder under <c>Identify/</c> and is added with
/// one line, <see cref="AccessServiceCollectionExtensions.AddIdentityProvider{TProvider}"/>; <c>Gateway:Auth:Providers</c>
/// orders the credential providers.
/// </summary>
public interface IIdentityProvider
{
    /// <summary>The provider's name in <c>Gateway:Auth:Providers</c> (<c>htpasswd</c>, <c>machine-accounts</c>, …).</summary>
    string Name { get; }

    /// <summary>Identifies the request, or says it is not this provider's.</summary>
    ValueTask<IdentityResult> IdentifyAsync(AccessRequest request, CancellationToken cancellationToken);
}
