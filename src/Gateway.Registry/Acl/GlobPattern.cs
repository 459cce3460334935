using System.Text;

namespace Gateway.Registry.Acl;

/// <summary>
/// Shell patterns with the semantics of Go's <c>path.Match</c>, which docker_auth uses for every non-regex match
/// value: <c>*</c> is any run of characters other than <c>/</c>, <c>?</c> one character other than <c>/</c>,
/// <c>[…]</c> / <c>[^…]</c> a class of characters and ranges, <c>\c</c> the character c; the whole value must match.
/// Reimplemented here chunk by chunk as Go does it (a star's chunk is matched at the leftmost position that fits),
/// so a pattern matches exactly what it matches in docker_auth. No allocations, no regular expressions.
/// </summary>
internal static class GlobPattern
{
    /// <summary>True when <paramref name="pattern"/> is well formed (no unclosed <c>[</c>, empty class, or trailing <c>\</c>).</summary>
    public static bool IsValid(ReadOnlySpan<char> pattern)
    {
        while (!pattern.IsEmpty)
        {
            ScanChunk(ref pattern, out _, out var chunk);
            MatchChunk(chunk, [], out var bad);
            if (bad)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when all of <paramref name="name"/> matches <paramref name="pattern"/>; false for a malformed pattern.</summary>
    public static bool IsMatch(ReadOnlySpan<char> pattern, ReadOnlySpan<char> name)
    {
        while (!pattern.IsEmpty)
        {
            ScanChunk(ref pattern, out var star, out var chunk);
            if (star && chunk.IsEmpty)
            {
                // A trailing star matches the rest of the name unless it holds a '/'.
                return !name.Contains('/');
            }

            // The chunk right here; as the last chunk it must also use up the name.
            var consumed = MatchChunk(chunk, name, out var bad);
            if (consumed >= 0 && (consumed == name.Length || !pattern.IsEmpty))
            {
                name = name[consumed..];
                continue;
            }

            if (bad)
            {
                return false;
            }

            var advanced = false;
            if (star)
            {
                // The star takes one more character each time, never a '/'.
                for (var i = 0; i < name.Length && name[i] != '/'; i++)
                {
                    var tail = name[(i + 1)..];
                    consumed = MatchChunk(chunk, tail, out bad);
                    if (consumed >= 0)
                    {
                        if (pattern.IsEmpty && consumed != tail.Length)
                        {
                            continue;
                        }

                        name = tail[consumed..];
                        advanced = true;
                        break;
                    }

                    if (bad)
                    {
                        return false;
                    }
                }
            }

            if (!advanced)
            {
                return false;
            }
        }

        return name.IsEmpty;
    }

    /// <summary>Splits off the leading stars (<paramref name="star"/>) and the chunk up to the next star outside a class.</summary>
    private static void ScanChunk(ref ReadOnlySpan<char> pattern, out bool star, out ReadOnlySpan<char> chunk)
    {
        star = false;
        while (!pattern.IsEmpty && pattern[0] == '*')
        {
            pattern = pattern[1..];
            star = true;
        }

        var inRange = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            switch (pattern[i])
            {
                case '\\':
                    if (i + 1 < pattern.Length)
                    {
                        i++;
                    }

                    break;
                case '[':
                    inRange = true;
                    break;
                case ']':
                    inRange = false;
                    break;
                case '*' when !inRange:
                    chunk = pattern[..i];
                    pattern = pattern[i..];
                    return;
            }
        }

        chunk = pattern;
        pattern = [];
    }

    /// <summary>
    /// Matches a star-free chunk against the start of <paramref name="text"/>: the characters it took, or -1.
    /// After a mismatch the chunk is still read to the end, so <paramref name="bad"/> reports a malformed chunk.
    /// </summary>
    private static int MatchChunk(ReadOnlySpan<char> chunk, ReadOnlySpan<char> text, out bool bad)
    {
        bad = false;
        var length = text.Length;
        var failed = false;
        while (!chunk.IsEmpty)
        {
            if (!failed && text.IsEmpty)
            {
                failed = true;
            }

            switch (chunk[0])
            {
                case '[':
                {
                    var r = default(Rune);
                    if (!failed)
                    {
                        r = NextRune(ref text);
                    }

                    chunk = chunk[1..];
                    var negated = false;
                    if (!chunk.IsEmpty && chunk[0] == '^')
                    {
                        negated = true;
                        chunk = chunk[1..];
                    }

                    var match = false;
                    var ranges = 0;
                    while (true)
                    {
                        if (!chunk.IsEmpty && chunk[0] == ']' && ranges > 0)
                        {
                            chunk = chunk[1..];
                            break;
                        }

                        if (!TryGetClassRune(ref chunk, out var lo))
                        {
                            bad = true;
                            return -1;
                        }

                        var hi = lo;
                        if (chunk[0] == '-')
                        {
                            chunk = chunk[1..];
                            if (!TryGetClassRune(ref chunk, out hi))
                            {
                                bad = true;
                                return -1;
                            }
                        }

                        if (lo <= r && r <= hi)
                        {
                            match = true;
                        }

                        ranges++;
                    }

                    if (match == negated)
                    {
                        failed = true;
                    }

                    break;
                }

                case '?':
                    if (!failed)
                    {
                        if (text[0] == '/')
                        {
                            failed = true;
                        }

                        NextRune(ref text);
                    }

                    chunk = chunk[1..];
                    break;

                default:
                    if (chunk[0] == '\\')
                    {
                        chunk = chunk[1..];
                        if (chunk.IsEmpty)
                        {
                            bad = true;
                            return -1;
                        }
                    }

                    if (!failed)
                    {
                        if (chunk[0] != text[0])
                        {
                            failed = true;
                        }

                        text = text[1..];
                    }

                    chunk = chunk[1..];
                    break;
            }
        }

        return failed ? -1 : length - text.Length;
    }

    /// <summary>A possibly escaped character of a class; false (a malformed pattern) when none is there or nothing follows it.</summary>
    private static bool TryGetClassRune(ref ReadOnlySpan<char> chunk, out Rune rune)
    {
        rune = default;
        if (chunk.IsEmpty || chunk[0] is '-' or ']')
        {
            return false;
        }

        if (chunk[0] == '\\')
        {
            chunk = chunk[1..];
            if (chunk.IsEmpty)
            {
                return false;
            }
        }

        if (Rune.DecodeFromUtf16(chunk, out rune, out var consumed) != System.Buffers.OperationStatus.Done)
        {
            return false;
        }

        chunk = chunk[consumed..];
        return !chunk.IsEmpty;
    }

    private static Rune NextRune(ref ReadOnlySpan<char> text)
    {
        Rune.DecodeFromUtf16(text, out var rune, out var consumed);
        text = text[Math.Max(1, consumed)..];
        return rune;
    }
}
