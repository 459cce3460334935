using System.Text;

namespace Gateway.Registry.Access;

/// <summary>
/// Reads a raw query string exactly as the registry does: Go's <c>url.ParseQuery</c> (Go 1.17 and later, the
/// Go that builds distribution 2.8.2) behind <c>Request.FormValue</c>. Pairs are split on <c>&amp;</c>; a pair
/// holding a <c>;</c> anywhere is skipped; the key and value are cut at the first <c>=</c> and unescaped with
/// <c>QueryUnescape</c> (<c>+</c> is a space, <c>%XX</c> must be two hex digits); a pair whose key or value does
/// not unescape is skipped; <c>FormValue</c> answers the first value of a key.
/// </summary>
public static class GoQuery
{
    /// <summary>Looks a key up the way <c>Request.FormValue</c> does (without a form body).</summary>
    /// <param name="rawQuery">The query string as sent, without the <c>?</c>; not decoded.</param>
    /// <param name="key">The decoded key, e.g. <c>from</c>.</param>
    /// <returns>
    /// The first value (its bytes as Latin-1 characters, so nothing is lost or merged) and how many pairs carry
    /// the key.
    /// </returns>
    public static GoQueryValue Find(ReadOnlySpan<char> rawQuery, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        string? first = null;
        var count = 0;
        while (!rawQuery.IsEmpty)
        {
            var amp = rawQuery.IndexOf('&');
            var pair = amp < 0 ? rawQuery : rawQuery[..amp];
            rawQuery = amp < 0 ? default : rawQuery[(amp + 1)..];
            if (pair.IsEmpty || pair.Contains(';'))
            {
                continue;
            }

            var equals = pair.IndexOf('=');
            var rawKey = equals < 0 ? pair : pair[..equals];
            var rawValue = equals < 0 ? default : pair[(equals + 1)..];
            if (!TryUnescape(rawKey, out var decodedKey) || !TryUnescape(rawValue, out var value)
                || !string.Equals(decodedKey, key, StringComparison.Ordinal))
            {
                continue;
            }

            count++;
            first ??= value;
        }

        return new GoQueryValue(first ?? string.Empty, count);
    }

    /// <summary>
    /// Go's <c>url.QueryUnescape</c>: <c>%XX</c> becomes the byte XX, <c>+</c> a space; a <c>%</c> not followed by
    /// two hex digits fails. The decoded bytes come back as Latin-1 characters (one character per byte).
    /// </summary>
    public static bool TryUnescape(ReadOnlySpan<char> text, out string value)
    {
        value = string.Empty;
        if (text.IsEmpty)
        {
            return true;
        }

        if (text.IndexOfAny('%', '+') < 0)
        {
            value = text.ToString();
            return true;
        }

        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '+')
            {
                builder.Append(' ');
            }
            else if (c != '%')
            {
                builder.Append(c);
            }
            else if (i + 2 < text.Length && char.IsAsciiHexDigit(text[i + 1]) && char.IsAsciiHexDigit(text[i + 2]))
            {
                builder.Append((char)((HexValue(text[i + 1]) << 4) | HexValue(text[i + 2])));
                i += 2;
            }
            else
            {
                return false;
            }
        }

        value = builder.ToString();
        return true;
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
