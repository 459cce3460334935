namespace Gateway.Edge.Access.Identify;

/// <summary>Labels of an account (docker_auth's <c>labels</c>: name → values), as the ACL matches them.</summary>
public static class IdentityLabels
{
    /// <summary>No labels.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> None { get; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);

    /// <summary>The grain's form (serializable arrays) of <paramref name="labels"/>; null when there are none.</summary>
    public static IReadOnlyDictionary<string, string[]>? ToGrain(IReadOnlyDictionary<string, IReadOnlyList<string>> labels) =>
        labels.Count == 0 ? null : labels.ToDictionary(l => l.Key, l => l.Value.ToArray(), StringComparer.Ordinal);

    /// <summary>Labels as the grain answered them.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> FromGrain(IReadOnlyDictionary<string, string[]>? labels) =>
        labels is null || labels.Count == 0 ? None : labels.ToDictionary(l => l.Key, l => (IReadOnlyList<string>)l.Value, StringComparer.Ordinal);
}
