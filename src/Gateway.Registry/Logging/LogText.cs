using System.Globalization;
using System.Text;

namespace Gateway.Registry.Logging;

/// <summary>
/// Client-supplied text made safe for a log line, whatever the formatter: a value that could pass for more fields
/// (spaces, <c>=</c>, quotes) or hide or forge lines (controls, line separators, bidirectional overrides) is written as
/// one double-quoted string with <c>\"</c>, <c>\\</c> and <c>\uXXXX</c> escapes. Plain values (<c>alice</c>,
/// <c>robot$ci</c>, <c>team/app</c>) are written as they are.
/// </summary>
public static class LogText
{
    /// <summary>The value as it may appear in a log line; <c>-</c> for null.</summary>
    public static string Escape(string? value)
    {
        if (value is null)
        {
            return "-";
        }

        if (value.Length > 0 && IsPlain(value))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 8).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                default:
                    if (NeedsEscape(c))
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.Append('"').ToString();
    }

    private static bool IsPlain(string value)
    {
        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '.' or '_' or ':' or '/' or '@' or '+' or '$' or ',' or '*' or '~'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Controls, line and paragraph separators, bidirectional formatting, and every space but U+0020.</summary>
    private static bool NeedsEscape(char c) =>
        char.IsControl(c)
        || (char.IsWhiteSpace(c) && c != ' ')
        || c is '\u2028' or '\u2029' or (>= '\u200b' and <= '\u200f') or (>= '\u202a' and <= '\u202e') or (>= '\u2066' and <= '\u2069') or '\ufeff';
}
