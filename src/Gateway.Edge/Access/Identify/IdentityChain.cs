using Gateway.Edge.Access.Answer;
using Gateway.Edge.Access.Identify.Anonymous;
using Gateway.Edge.Access.Identify.IssuedTokens;
using Gateway.Registry.Credentials;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Access.Identify;

/// <summary>
/// Asks the identity providers in turn. Token mode at <c>/v2/</c>: only tokens the gateway issued. Otherwise: a request
/// without credentials may be anonymous, else it is challenged; Basic credentials go to the providers of
/// <see cref="AuthOptions.Providers"/> in their order, the first that does not answer <see cref="IdentityResult.NotMine"/> decides.
/// </summary>
public sealed class IdentityChain
{
    private readonly IIdentityProvider[] _credentials;
    private readonly AnonymousIdentityProvider _anonymous;
    private readonly IssuedTokenIdentityProvider _tokens;
    private readonly bool _tokenMode;

    /// <summary>Orders the registered providers as <see cref="AuthOptions.Providers"/> lists them (validated at start).</summary>
    public IdentityChain(IServiceProvider services, IEnumerable<IdentityProviderRegistration> registrations, IOptions<AuthOptions> options, AnonymousIdentityProvider anonymous, IssuedTokenIdentityProvider tokens)
    {
        var byName = registrations.ToDictionary(r => r.Name, StringComparer.Ordinal);
        _credentials = options.Value.ProviderOrder.Select(name => (IIdentityProvider)services.GetRequiredService(byName[name].Type)).ToArray();
        _anonymous = anonymous;
        _tokens = tokens;
        _tokenMode = options.Value.IsTokenMode;
    }

    /// <summary>The credential providers, in the order they are asked.</summary>
    public IReadOnlyList<IIdentityProvider> CredentialProviders => _credentials;

    /// <summary>Identifies a request: an identity, or the refusal to answer.</summary>
    public async ValueTask<IdentityResult> IdentifyAsync(AccessRequest request, CancellationToken cancellationToken)
    {
        if (_tokenMode && !request.AtTokenEndpoint)
        {
            return await _tokens.IdentifyAsync(request, cancellationToken).ConfigureAwait(false);
        }

        if (request.BasicStatus != CredentialParseStatus.Ok)
        {
            var anonymous = await _anonymous.IdentifyAsync(request, cancellationToken).ConfigureAwait(false);
            return anonymous.Status != IdentityStatus.NotMine
                ? anonymous
                : IdentityResult.Refused(AccessRefusals.Unauthenticated(request.BasicStatus == CredentialParseStatus.Malformed, request.Scopes));
        }

        foreach (var provider in _credentials)
        {
            var result = await provider.IdentifyAsync(request, cancellationToken).ConfigureAwait(false);
            if (result.Status != IdentityStatus.NotMine)
            {
                return result;
            }
        }

        // No provider knows the name: answered as a wrong password (the last password provider normally takes every name).
        return IdentityResult.Refused(AccessRefusals.InvalidCredentials(request, repeat: false));
    }
}
