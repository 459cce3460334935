using System.Net;
using Gateway.Registry.Access;

namespace Gateway.Registry.Acl;

/// <summary>
/// Decides with docker_auth's static ACL semantics: the first rule whose <c>match</c> holds decides (its grant may be
/// empty); when none matches, nothing is granted. Immutable and thread-safe; build a new one on reload.
/// </summary>
/// <remarks>
/// The catalog (<c>GET /v2/_catalog</c>) asks for <c>registry:catalog:*</c>, whose one action is <c>*</c>. A rule
/// grants it only with <c>actions: ["*"]</c>; docker_auth users write it as
/// <c>- match: {account: "/.+/", type: registry, name: catalog}</c> / <c>actions: ["*"]</c>, placed before any broad
/// rule (such as "everyone may pull") that would otherwise match the catalog request first and grant nothing.
/// </remarks>
public sealed class AclEvaluator
{
    private readonly AclRule[] _rules;

    /// <summary>Creates an evaluator over rules from <see cref="AclFile.Parse"/>, in order.</summary>
    public AclEvaluator(IReadOnlyList<AclRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        _rules = [.. rules];
        Rules = Array.AsReadOnly(_rules);
    }

    private AclEvaluator()
    {
        _rules = [];
        Rules = Array.AsReadOnly(_rules);
        IsAllowAll = true;
    }

    /// <summary>
    /// The evaluator for a gateway without <c>Gateway:Auth:AclFile</c>: every authenticated user may do everything
    /// (the nginx recipe's behaviour), so every requested action is granted.
    /// </summary>
    public static AclEvaluator AllowAll { get; } = new();

    /// <summary>True for <see cref="AllowAll"/>.</summary>
    public bool IsAllowAll { get; }

    /// <summary>The rules, in evaluation order.</summary>
    public IReadOnlyList<AclRule> Rules { get; }

    /// <summary>
    /// The actions of <paramref name="requestedActions"/> that the first matching rule grants: all of them for
    /// <c>["*"]</c>, otherwise the intersection; none when no rule matches.
    /// </summary>
    public AclDecision Authorize(AclRequest request, IReadOnlyList<string> requestedActions)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(requestedActions);
        if (IsAllowAll)
        {
            return new AclDecision(requestedActions.Distinct(StringComparer.Ordinal).ToArray(), null);
        }

        foreach (var rule in _rules)
        {
            if (rule.Matches(request))
            {
                return new AclDecision(rule.Grant(requestedActions), rule);
            }
        }

        return new AclDecision([], null);
    }

    /// <summary>
    /// The granted part of one requested scope: the same resource with the granted actions (possibly none), ready
    /// for <see cref="Tokens.TokenAccess.Create"/> or an access check.
    /// </summary>
    /// <remarks><paramref name="labels"/> are the account's labels (see <see cref="AclRequest.Labels"/>); none by default.</remarks>
    public AccessScope AuthorizeScope(
        string account,
        AccessScope requested,
        string service,
        IPAddress? clientAddress,
        IReadOnlyDictionary<string, IReadOnlyList<string>>? labels = null)
    {
        ArgumentNullException.ThrowIfNull(requested);
        var decision = Authorize(AclRequest.For(account, requested.Resource, service, clientAddress, labels), requested.Actions);
        return new AccessScope(requested.Resource, decision.Granted);
    }
}
