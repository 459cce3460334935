namespace Gateway.Registry.Access;

/// <summary>The resource-type and resource-name productions of the token scope grammar (<c>scope.md</c>).</summary>
internal static class ScopeGrammar
{
    /// <summary>
    /// True when <paramref name="type"/> is <c>[a-z0-9]+</c> optionally followed by <c>([a-z0-9]+)</c>;
    /// <paramref name="baseType"/> is the part before the class.
    /// </summary>
    public static bool IsValidType(ReadOnlySpan<char> type, out ReadOnlySpan<char> baseType)
    {
        var open = type.IndexOf('(');
        if (open < 0)
        {
            baseType = type;
            return AsciiGrammar.IsLowerAlphanumericRun(type);
        }

        baseType = type[..open];
        return AsciiGrammar.IsLowerAlphanumericRun(baseType)
            && type[^1] == ')'
            && AsciiGrammar.IsLowerAlphanumericRun(type[(open + 1)..^1]);
    }

    /// <summary>
    /// True when <paramref name="name"/> is a valid name for a resource of <paramref name="baseType"/>:
    /// <c>[a-z0-9]+</c> for <c>registry</c> (e.g. <c>catalog</c>), otherwise
    /// <c>[hostname '/'] component ['/' component]*</c>; at most <see cref="RepositoryName.MaxLength"/> characters.
    /// </summary>
    public static bool IsValidName(ReadOnlySpan<char> baseType, ReadOnlySpan<char> name)
    {
        if (name.Length > RepositoryName.MaxLength)
        {
            return false;
        }

        if (baseType.SequenceEqual(ResourceTypes.Registry))
        {
            return AsciiGrammar.IsLowerAlphanumericRun(name);
        }

        if (RepositoryName.IsValid(name))
        {
            return true;
        }

        var slash = name.IndexOf('/');
        return slash > 0 && IsValidHostname(name[..slash]) && RepositoryName.IsValid(name[(slash + 1)..]);
    }

    /// <summary>
    /// True when <paramref name="hostname"/> is <c>hostcomponent ['.' hostcomponent]* [':' port-number]</c>,
    /// a host component being <c>[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]</c>.
    /// </summary>
    public static bool IsValidHostname(ReadOnlySpan<char> hostname)
    {
        var colon = hostname.IndexOf(':');
        if (colon >= 0)
        {
            var port = hostname[(colon + 1)..];
            if (port.IsEmpty || port.ContainsAnyExceptInRange('0', '9'))
            {
                return false;
            }

            hostname = hostname[..colon];
        }

        foreach (var range in hostname.Split('.'))
        {
            var component = hostname[range];
            if (component.IsEmpty
                || !AsciiGrammar.IsAlphanumeric(component[0])
                || !AsciiGrammar.IsAlphanumeric(component[^1]))
            {
                return false;
            }

            foreach (var c in component)
            {
                if (!AsciiGrammar.IsAlphanumeric(c) && c != '-')
                {
                    return false;
                }
            }
        }

        return true;
    }
}
