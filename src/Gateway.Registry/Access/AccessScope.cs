using System.Diagnostics.CodeAnalysis;

namespace Gateway.Registry.Access;

/// <summary>
/// One resource scope, <c>type:name:action[,action]*</c> (<c>scope.md</c>). Two scopes are equal when
/// their resources are equal and they hold the same set of actions, in any order.
/// </summary>
/// <param name="Resource">The resource the actions apply to.</param>
/// <param name="Actions">The actions, duplicates removed, first occurrence order kept; may be empty.</param>
public sealed record AccessScope(RegistryResource Resource, IReadOnlyList<string> Actions)
{
    /// <summary>Longest single resource scope accepted, in characters.</summary>
    internal const int MaxLength = 1024;

    private readonly IReadOnlyList<string> _actions = NormalizeActions(Actions);

    /// <summary>The resource the actions apply to.</summary>
    public RegistryResource Resource { get; init; } = Resource ?? throw new ArgumentNullException(nameof(Resource));

    /// <summary>
    /// The actions, duplicates removed, first occurrence order kept; may be empty. A list without
    /// duplicates is kept as given, not copied: do not change it afterwards.
    /// </summary>
    public IReadOnlyList<string> Actions
    {
        get => _actions;
        init => _actions = NormalizeActions(value);
    }

    /// <summary>
    /// Parses one resource scope, e.g. <c>repository:library/alpine:pull,push</c>,
    /// <c>repository:localhost:5000/foo:pull</c> (the type ends at the first <c>:</c>, the actions start
    /// after the last), <c>repository(plugin):x:pull</c> or <c>registry:catalog:*</c>.
    /// </summary>
    /// <returns>
    /// False for anything outside the grammar: a bad type or name, an action other than <c>[a-z]*</c> or
    /// <c>*</c>, whitespace or control characters, or more than 1024 characters.
    /// </returns>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out AccessScope? scope)
    {
        scope = null;
        return text is not null && TryParse(text.AsSpan(), out scope);
    }

    /// <summary>
    /// Parses a space-separated list of resource scopes (one <c>scope</c> value). Null or empty text is an
    /// empty list.
    /// </summary>
    /// <returns>False when there are more than <paramref name="maxScopes"/> scopes or any is invalid (including empty ones from doubled, leading or trailing spaces).</returns>
    public static bool TryParseList(string? text, int maxScopes, out IReadOnlyList<AccessScope> scopes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxScopes);
        scopes = Array.Empty<AccessScope>();
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        var span = text.AsSpan();
        if (span.Length > (long)maxScopes * (MaxLength + 1))
        {
            return false;
        }

        var count = span.Count(' ') + 1;
        if (count > maxScopes)
        {
            return false;
        }

        var result = new AccessScope[count];
        var i = 0;
        foreach (var range in span.Split(' '))
        {
            if (!TryParse(span[range], out var scope))
            {
                return false;
            }

            result[i++] = scope;
        }

        scopes = result;
        return true;
    }

    /// <inheritdoc/>
    public bool Equals(AccessScope? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is null || !Resource.Equals(other.Resource) || _actions.Count != other._actions.Count)
        {
            return false;
        }

        for (var i = 0; i < _actions.Count; i++)
        {
            if (!Contains(other._actions, other._actions.Count, _actions[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        // Order-independent over a duplicate-free list, to agree with Equals.
        var actions = 0;
        for (var i = 0; i < _actions.Count; i++)
        {
            actions += _actions[i].GetHashCode();
        }

        return HashCode.Combine(Resource, actions);
    }

    /// <summary>Formats the scope as <c>type:name:action,action</c>; the form <see cref="TryParse(string?, out AccessScope?)"/> reads.</summary>
    public override string ToString()
    {
        var type = Resource.Type;
        var name = Resource.Name;
        var length = type.Length + name.Length + 2 + Math.Max(0, _actions.Count - 1);
        for (var i = 0; i < _actions.Count; i++)
        {
            length += _actions[i].Length;
        }

        return string.Create(length, this, static (span, scope) =>
        {
            var resource = scope.Resource;
            resource.Type.CopyTo(span);
            var at = resource.Type.Length;
            span[at++] = ':';
            resource.Name.CopyTo(span[at..]);
            at += resource.Name.Length;
            span[at++] = ':';
            var actions = scope._actions;
            for (var i = 0; i < actions.Count; i++)
            {
                if (i > 0)
                {
                    span[at++] = ',';
                }

                actions[i].CopyTo(span[at..]);
                at += actions[i].Length;
            }
        });
    }

    private static bool TryParse(ReadOnlySpan<char> text, [NotNullWhen(true)] out AccessScope? scope)
    {
        scope = null;
        if (text.IsEmpty || text.Length > MaxLength)
        {
            return false;
        }

        // The name may hold one ':' (host:port/), so the type ends at the first and the actions start after the last.
        var firstColon = text.IndexOf(':');
        var lastColon = text.LastIndexOf(':');
        if (firstColon <= 0 || lastColon == firstColon)
        {
            return false;
        }

        var type = text[..firstColon];
        var name = text[(firstColon + 1)..lastColon];
        if (!ScopeGrammar.IsValidType(type, out var baseType)
            || !ScopeGrammar.IsValidName(baseType, name)
            || !TryParseActions(text[(lastColon + 1)..], out var actions))
        {
            return false;
        }

        scope = new AccessScope(CreateResource(type, name), actions);
        return true;
    }

    private static RegistryResource CreateResource(ReadOnlySpan<char> type, ReadOnlySpan<char> name)
    {
        if (type.SequenceEqual(ResourceTypes.Repository))
        {
            return RegistryResource.Repository(name.ToString());
        }

        if (type.SequenceEqual(ResourceTypes.Registry))
        {
            return name.SequenceEqual(RegistryResource.Catalog.Name)
                ? RegistryResource.Catalog
                : new RegistryResource(ResourceTypes.Registry, name.ToString());
        }

        return new RegistryResource(type.ToString(), name.ToString());
    }

    private static bool TryParseActions(ReadOnlySpan<char> text, out string[] actions)
    {
        actions = [];
        if (text.IsEmpty)
        {
            return true;
        }

        var buffer = new string[text.Count(',') + 1];
        var count = 0;
        foreach (var range in text.Split(','))
        {
            var item = text[range];
            if (item.IsEmpty)
            {
                continue; // the grammar's action is /[a-z]*/: an empty one asks for nothing
            }

            if (!(item is "*" || !item.ContainsAnyExceptInRange('a', 'z')))
            {
                return false;
            }

            var action = InternAction(item);
            if (!Contains(buffer, count, action))
            {
                buffer[count++] = action;
            }
        }

        if (count != buffer.Length)
        {
            Array.Resize(ref buffer, count);
        }

        actions = buffer;
        return true;
    }

    private static string InternAction(ReadOnlySpan<char> action) => action switch
    {
        RegistryActions.Pull => RegistryActions.Pull,
        RegistryActions.Push => RegistryActions.Push,
        RegistryActions.Delete => RegistryActions.Delete,
        RegistryActions.All => RegistryActions.All,
        _ => action.ToString(),
    };

    private static bool Contains(IReadOnlyList<string> list, int count, string value)
    {
        for (var i = 0; i < count; i++)
        {
            if (string.Equals(list[i], value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static IReadOnlyList<string> NormalizeActions(IReadOnlyList<string> actions)
    {
        ArgumentNullException.ThrowIfNull(actions);
        for (var i = 0; i < actions.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(actions[i], nameof(actions));
            if (Contains(actions, i, actions[i]))
            {
                return Deduplicate(actions);
            }
        }

        return actions;
    }

    private static string[] Deduplicate(IReadOnlyList<string> actions)
    {
        var buffer = new string[actions.Count];
        var count = 0;
        for (var i = 0; i < actions.Count; i++)
        {
            if (!Contains(buffer, count, actions[i]))
            {
                buffer[count++] = actions[i];
            }
        }

        Array.Resize(ref buffer, count);
        return buffer;
    }
}
