using Gateway.Edge.Access.Identify;
using Gateway.Registry.Access;
using Gateway.Registry.Acl;
using Gateway.Registry.Tokens;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Access.Authorize;

/// <summary>
/// The ACL over an identity: which of a request's scopes the ACL file (and a machine account's own scopes, its ceiling)
/// does not grant. First matching rule wins, as in docker_auth.
/// </summary>
public sealed class AclAuthorizer(AclStore acl, IOptions<RegistryTokenOptions> token)
{
    /// <summary>True when no ACL file is configured: every authenticated account may do everything.</summary>
    public bool AllowsAll => acl.Current.IsAllowAll;

    /// <summary>
    /// What the ACL (and <paramref name="identity"/>'s scope ceiling) does not grant of <paramref name="request"/>'s scopes:
    /// each scope not fully granted, with only its refused actions; empty when all are granted.
    /// </summary>
    public IReadOnlyList<AccessScope> Refused(Identity identity, AccessRequest request)
    {
        var ceiling = identity.Admission?.Scopes is { } limits ? ScopeCeiling.From(limits) : null;
        return Refused(identity.Account, request, ceiling);
    }

    /// <summary>What the ACL does not grant <paramref name="account"/> of the request's scopes (anonymous clients: <c>""</c>).</summary>
    public IReadOnlyList<AccessScope> Refused(string account, AccessRequest request, ScopeCeiling? ceiling = null)
    {
        var rules = acl.Current;
        var scopes = request.Scopes;
        if ((rules.IsAllowAll && ceiling is null) || scopes.Count == 0)
        {
            return [];
        }

        List<AccessScope>? refused = null;
        for (var i = 0; i < scopes.Count; i++)
        {
            var granted = rules.IsAllowAll ? scopes[i] : rules.AuthorizeScope(account, scopes[i], token.Value.Service ?? string.Empty, request.ClientIp);
            if (ceiling is not null)
            {
                granted = ceiling.Limit(granted);
            }

            if (granted.Actions.Count < scopes[i].Actions.Count)
            {
                var missing = scopes[i].Actions.Where(a => !granted.Actions.Contains(a, StringComparer.Ordinal)).ToArray();
                (refused ??= []).Add(missing.Length > 0 ? new AccessScope(scopes[i].Resource, missing) : scopes[i]);
            }
        }

        return refused is null ? [] : refused;
    }
}
