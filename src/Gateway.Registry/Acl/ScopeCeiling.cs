using Gateway.Registry.Access;

namespace Gateway.Registry.Acl;

/// <summary>
/// The most a machine account may be granted, on top of the ACL: entries <c>type:name-glob:actions</c>, e.g.
/// <c>repository:ci/*:pull,push</c> or <c>registry:catalog:*</c>. The type ends at the first <c>:</c> and the actions
/// start after the last, as in a scope; the name is a glob with Go's <c>path.Match</c> rules (as in the ACL: <c>*</c>
/// does not cross a <c>/</c>); actions are <c>pull</c>, <c>push</c>, <c>delete</c> or <c>*</c> (every action).
/// A requested scope keeps the actions some entry for its type and name allows.
/// </summary>
public sealed class ScopeCeiling
{
    /// <summary>The most entries one ceiling may hold.</summary>
    public const int MaxEntries = 64;

    private static readonly string[] KnownActions = ["pull", "push", "delete", "*"];

    private readonly Entry[] _entries;

    private ScopeCeiling(Entry[] entries) => _entries = entries;

    /// <summary>Parses the entries; on failure <paramref name="error"/> names the bad one.</summary>
    public static bool TryParse(IReadOnlyList<string>? entries, out ScopeCeiling ceiling, out string? error)
    {
        ceiling = new ScopeCeiling([]);
        error = null;
        if (entries is null || entries.Count == 0)
        {
            error = "at least one scope is required, e.g. repository:ci/*:pull,push";
            return false;
        }

        if (entries.Count > MaxEntries)
        {
            error = $"at most {MaxEntries} scopes";
            return false;
        }

        var parsed = new Entry[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            if (!TryParseEntry(entries[i], out parsed[i]))
            {
                error = $"scope '{Printable(entries[i])}' is not type:name-glob:actions with type repository or registry and actions pull, push, delete or *";
                return false;
            }
        }

        ceiling = new ScopeCeiling(parsed);
        return true;
    }

    /// <summary>Parses entries already validated (from a grain); entries that do not parse allow nothing.</summary>
    public static ScopeCeiling From(IReadOnlyList<string> entries)
    {
        var parsed = new List<Entry>(entries.Count);
        foreach (var entry in entries)
        {
            if (TryParseEntry(entry, out var e))
            {
                parsed.Add(e);
            }
        }

        return new ScopeCeiling([.. parsed]);
    }

    /// <summary>The part of <paramref name="requested"/> this ceiling allows (possibly no actions).</summary>
    public AccessScope Limit(AccessScope requested)
    {
        ArgumentNullException.ThrowIfNull(requested);
        var allowed = new List<string>(requested.Actions.Count);
        foreach (var action in requested.Actions)
        {
            foreach (var entry in _entries)
            {
                if (string.Equals(entry.Type, requested.Resource.BaseType, StringComparison.Ordinal)
                    && GlobPattern.IsMatch(entry.Name, requested.Resource.Name)
                    && (entry.Actions.Contains("*") || entry.Actions.Contains(action)))
                {
                    allowed.Add(action);
                    break;
                }
            }
        }

        return allowed.Count == requested.Actions.Count ? requested : new AccessScope(requested.Resource, allowed);
    }

    private static bool TryParseEntry(string? text, out Entry entry)
    {
        entry = default;
        if (string.IsNullOrEmpty(text) || text.Length > AccessScope.MaxLength || text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return false;
        }

        var first = text.IndexOf(':', StringComparison.Ordinal);
        var last = text.LastIndexOf(':');
        if (first <= 0 || last == first || last == text.Length - 1)
        {
            return false;
        }

        var type = text[..first];
        var name = text[(first + 1)..last];
        var actions = text[(last + 1)..].Split(',');
        if (type is not (ResourceTypes.Repository or ResourceTypes.Registry) || name.Length == 0 || !GlobPattern.IsValid(name)
            || actions.Any(a => !KnownActions.Contains(a)))
        {
            return false;
        }

        entry = new Entry(type, name, [.. actions.Distinct(StringComparer.Ordinal)]);
        return true;
    }

    private static string Printable(string? text) =>
        text is null ? string.Empty : new string(text.Take(80).Select(c => char.IsControl(c) ? '?' : c).ToArray());

    private readonly record struct Entry(string Type, string Name, string[] Actions);
}
