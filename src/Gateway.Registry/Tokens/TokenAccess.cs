using Gateway.Registry.Access;

namespace Gateway.Registry.Tokens;

/// <summary>
/// The <c>access</c> claim of a registry token: resource entries with the actions granted on each. Checked as
/// registry 2.8 checks it: entries for the same resource add up, <c>*</c> grants every action, and the type is
/// compared without its class (<c>repository(plugin)</c> counts as <c>repository</c>, as the current scope spec says).
/// </summary>
public sealed class TokenAccess
{
    private TokenAccess(IReadOnlyList<AccessScope> entries) => Entries = entries;

    /// <summary>No access at all (the claim is <c>[]</c>): what <c>docker login</c> gets.</summary>
    public static TokenAccess Empty { get; } = new(Array.Empty<AccessScope>());

    /// <summary>The entries in claim order. Issued tokens hold one entry per resource, actions sorted.</summary>
    public IReadOnlyList<AccessScope> Entries { get; }

    /// <summary>
    /// The access to write into a token: the type without its class (authorisation services should no longer
    /// return classes), entries for the same resource merged in first-occurrence order, actions sorted ordinally.
    /// An entry with no actions is kept, as docker_auth keeps it.
    /// </summary>
    public static TokenAccess Create(IEnumerable<AccessScope> granted)
    {
        ArgumentNullException.ThrowIfNull(granted);
        var entries = new List<(RegistryResource Resource, SortedSet<string> Actions)>();
        foreach (var scope in granted)
        {
            ArgumentNullException.ThrowIfNull(scope, nameof(granted));
            var resource = scope.Resource.BaseType.Length == scope.Resource.Type.Length
                ? scope.Resource
                : new RegistryResource(scope.Resource.BaseType, scope.Resource.Name);
            var index = entries.FindIndex(e => e.Resource.Equals(resource));
            if (index < 0)
            {
                entries.Add((resource, new SortedSet<string>(StringComparer.Ordinal)));
                index = entries.Count - 1;
            }

            entries[index].Actions.UnionWith(scope.Actions);
        }

        return entries.Count == 0
            ? Empty
            : new TokenAccess(Array.AsReadOnly(entries.Select(e => new AccessScope(e.Resource, e.Actions.ToArray())).ToArray()));
    }

    /// <summary>True when every action of <paramref name="required"/> is granted on its resource (vacuously for no actions).</summary>
    public bool Allows(AccessScope required)
    {
        ArgumentNullException.ThrowIfNull(required);
        foreach (var action in required.Actions)
        {
            if (!Allows(required.Resource, action))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when every scope is allowed; the check registry 2.8 makes before answering <c>insufficient_scope</c>.</summary>
    public bool AllowsAll(IEnumerable<AccessScope> required)
    {
        ArgumentNullException.ThrowIfNull(required);
        foreach (var scope in required)
        {
            if (!Allows(scope))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// What of <paramref name="required"/> this access does not grant: each scope with only its refused actions, scopes
    /// granted in full left out; empty when <see cref="AllowsAll"/>.
    /// </summary>
    public IReadOnlyList<AccessScope> Refused(IEnumerable<AccessScope> required)
    {
        ArgumentNullException.ThrowIfNull(required);
        var refused = new List<AccessScope>();
        foreach (var scope in required)
        {
            var missing = scope.Actions.Where(a => !Allows(scope.Resource, a)).ToArray();
            if (missing.Length > 0)
            {
                refused.Add(new AccessScope(scope.Resource, missing));
            }
        }

        return refused;
    }

    /// <summary>
    /// The granted access as a scope list (<c>type:name:actions</c> joined by spaces, entries without actions left
    /// out): the OAuth2 response's <c>scope</c> field.
    /// </summary>
    public string ToScopeString() =>
        string.Join(' ', Entries.Where(e => e.Actions.Count > 0).Select(e => e.ToString()));

    /// <inheritdoc/>
    public override string ToString() => ToScopeString();

    internal static TokenAccess FromClaim(List<AccessScope> entries) =>
        entries.Count == 0 ? Empty : new TokenAccess(entries.AsReadOnly());

    private bool Allows(RegistryResource resource, string action)
    {
        var baseType = resource.BaseType;
        foreach (var entry in Entries)
        {
            if (!string.Equals(entry.Resource.Name, resource.Name, StringComparison.Ordinal)
                || !string.Equals(entry.Resource.BaseType, baseType, StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var granted in entry.Actions)
            {
                if (granted is RegistryActions.All || string.Equals(granted, action, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
