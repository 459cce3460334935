using System.Runtime.CompilerServices;

namespace Gateway.Registry.Access;

/// <summary>Character classes of the registry grammars, as branch-light ASCII checks.</summary>
internal static class AsciiGrammar
{
    /// <summary><c>[a-z0-9]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsLowerAlphanumeric(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);

    /// <summary><c>[A-Za-z0-9]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsAlphanumeric(char c) => char.IsAsciiLetterOrDigit(c);

    /// <summary><c>\w</c> in Go's RE2: <c>[A-Za-z0-9_]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsWord(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    /// <summary>True when <paramref name="value"/> is one or more <c>[a-z0-9]</c>.</summary>
    public static bool IsLowerAlphanumericRun(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!IsLowerAlphanumeric(c))
            {
                return false;
            }
        }

        return true;
    }
}
