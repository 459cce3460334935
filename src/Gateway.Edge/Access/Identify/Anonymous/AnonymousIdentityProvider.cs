using Gateway.Edge.Access.Admit;
using Gateway.Edge.Access.Authorize;
using Gateway.Registry.Credentials;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Access.Identify.Anonymous;

/// <summary>
/// docker_auth's anonymous access (<see cref="AuthOptions.Anonymous"/>): a request without credentials that the ACL
/// grants in full to the account <c>""</c> goes through as that account, within the rate limits of its client address.
/// Anything else without credentials is not this provider's (the challenge follows).
/// </summary>
public sealed class AnonymousIdentityProvider(GrainAdmission admission, AclAuthorizer acl, IOptions<AuthOptions> options) : IIdentityProvider
{
    /// <inheritdoc />
    public string Name => "anonymous";

    /// <inheritdoc />
    public async ValueTask<IdentityResult> IdentifyAsync(AccessRequest request, CancellationToken cancellationToken)
    {
        if (!options.Value.Anonymous || request.BasicStatus != CredentialParseStatus.Missing || acl.AllowsAll)
        {
            return IdentityResult.NotMine;
        }

        // At /v2/ only a request the ACL grants to "" in full; at /token an anonymous grant (what "" may have is granted).
        if (!request.AtTokenEndpoint && (request.Scopes.Count == 0 || acl.Refused(string.Empty, request).Count > 0))
        {
            return IdentityResult.NotMine;
        }

        return await admission.AdmitAnonymousAsync(request).ConfigureAwait(false);
    }
}
