using Gateway.Registry.Access;

namespace Gateway.Registry.Errors;

/// <summary>
/// One requested access as registry 2.8 lists it in an error's <c>detail</c> (<c>auth.Access</c>, serialized with Go's
/// field names: <c>{"Type":"repository","Class":"","Name":"alice/app","Action":"push"}</c>). The registry answers an
/// access-controller refusal with <c>UNAUTHORIZED</c> and these records; clients that see a non-null detail report the
/// message instead of a bare code and stop instead of retrying.
/// </summary>
/// <param name="Type">The resource type without its class, e.g. <c>repository</c>.</param>
/// <param name="Class">The resource class, e.g. <c>plugin</c> for <c>repository(plugin)</c>; empty when none.</param>
/// <param name="Name">The resource name.</param>
/// <param name="Action">One action.</param>
public sealed record RegistryAccessRecord(string Type, string Class, string Name, string Action)
{
    /// <summary>One record per action of each scope, in order (the registry's <c>appendAccessRecords</c> shape).</summary>
    public static IReadOnlyList<RegistryAccessRecord> From(IEnumerable<AccessScope> scopes)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        var records = new List<RegistryAccessRecord>();
        foreach (var scope in scopes)
        {
            var type = scope.Resource.Type;
            var open = type.IndexOf('(', StringComparison.Ordinal);
            var (baseType, resourceClass) = open > 0 && type.EndsWith(')')
                ? (type[..open], type[(open + 1)..^1])
                : (type, string.Empty);
            foreach (var action in scope.Actions)
            {
                records.Add(new RegistryAccessRecord(baseType, resourceClass, scope.Resource.Name, action));
            }
        }

        return records;
    }

    /// <summary>
    /// What a person reads in a refusal: <c>push on repository alice/app</c>, <c>pull, push on repository alice/app</c>,
    /// several resources joined with <c>; </c>.
    /// </summary>
    public static string Describe(IEnumerable<AccessScope> scopes)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        return string.Join("; ", scopes.Where(s => s.Actions.Count > 0).Select(s => $"{string.Join(", ", s.Actions)} on {s.Resource.Type} {s.Resource.Name}"));
    }
}
