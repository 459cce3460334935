namespace Gateway.Registry.Access;

/// <summary>
/// The grammars of repository names, tags and digests as the registry's router applies them
/// (<c>distribution/reference</c>), checked without regular expressions or allocations.
/// </summary>
public static class RepositoryName
{
    /// <summary>Longest repository name, in characters (<c>NameTotalLengthMax</c>).</summary>
    public const int MaxLength = 255;

    /// <summary>Longest tag, in characters.</summary>
    internal const int MaxTagLength = 128;

    /// <summary>Longest digest accepted, in characters (the registry sets no limit; SHA-512 needs 135).</summary>
    internal const int MaxDigestLength = 256;

    /// <summary>Shortest hex part of a digest.</summary>
    private const int MinDigestHexLength = 32;

    /// <summary>
    /// True when <paramref name="name"/> is one or more path components joined by single <c>/</c>, each
    /// <c>[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*</c>, at most <see cref="MaxLength"/> characters in all.
    /// A registry host prefix (<c>host:port/</c>) is not part of a repository name.
    /// </summary>
    public static bool IsValid(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.Length > MaxLength)
        {
            return false;
        }

        var i = 0;
        while (true)
        {
            // A component starts with an alphanumeric.
            if (i >= name.Length || !AsciiGrammar.IsLowerAlphanumeric(name[i]))
            {
                return false;
            }

            i++;
            while (i < name.Length)
            {
                var c = name[i];
                if (AsciiGrammar.IsLowerAlphanumeric(c))
                {
                    i++;
                    continue;
                }

                if (c == '/')
                {
                    break;
                }

                // A separator: one '.', one or two '_', or any number of '-'; an alphanumeric must follow.
                switch (c)
                {
                    case '.':
                        i++;
                        break;
                    case '_':
                        i++;
                        if (i < name.Length && name[i] == '_')
                        {
                            i++;
                        }

                        break;
                    case '-':
                        do
                        {
                            i++;
                        }
                        while (i < name.Length && name[i] == '-');
                        break;
                    default:
                        return false;
                }

                if (i >= name.Length || !AsciiGrammar.IsLowerAlphanumeric(name[i]))
                {
                    return false;
                }

                i++;
            }

            if (i >= name.Length)
            {
                return true;
            }

            i++; // the '/'; a trailing one fails the component check above
        }
    }

    /// <summary>True when <paramref name="tag"/> matches <c>[A-Za-z0-9_][A-Za-z0-9._-]{0,127}</c>.</summary>
    public static bool IsValidTag(ReadOnlySpan<char> tag)
    {
        if (tag.IsEmpty || tag.Length > MaxTagLength || !AsciiGrammar.IsWord(tag[0]))
        {
            return false;
        }

        foreach (var c in tag[1..])
        {
            if (!AsciiGrammar.IsWord(c) && c != '.' && c != '-')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// True when <paramref name="digest"/> matches the registry's digest pattern
    /// <c>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}</c>, at most 256 characters.
    /// </summary>
    public static bool IsValidDigest(ReadOnlySpan<char> digest)
    {
        if (digest.Length > MaxDigestLength)
        {
            return false;
        }

        var colon = digest.IndexOf(':');
        if (colon <= 0 || digest.Length - colon - 1 < MinDigestHexLength)
        {
            return false;
        }

        var algorithm = digest[..colon];
        var atComponentStart = true;
        foreach (var c in algorithm)
        {
            if (atComponentStart)
            {
                if (!char.IsAsciiLetter(c))
                {
                    return false;
                }

                atComponentStart = false;
            }
            else if (c is '-' or '_' or '+' or '.')
            {
                atComponentStart = true;
            }
            else if (!AsciiGrammar.IsAlphanumeric(c))
            {
                return false;
            }
        }

        if (atComponentStart)
        {
            return false; // ends with a separator
        }

        foreach (var c in digest[(colon + 1)..])
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
