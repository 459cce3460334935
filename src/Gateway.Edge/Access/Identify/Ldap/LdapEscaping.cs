using System.Globalization;
using System.Text;

namespace Gateway.Edge.Access.Identify.Ldap;

/// <summary>
/// What keeps a user name a user name on its way into the directory: RFC 4515 escaping for search filters, RFC 4514
/// escaping for DNs, and the reverse (RFC 4514 parsing) to reduce a group DN to its name.
/// </summary>
public static class LdapEscaping
{
    /// <summary>
    /// Escapes a value for an RFC 4515 filter: <c>*</c> <c>(</c> <c>)</c> <c>\</c> NUL (and every other control
    /// character) become <c>\XX</c>, so <c>*)(uid=*</c> matches only an entry named exactly that.
    /// </summary>
    public static string EscapeFilterValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var builder = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (c is '*' or '(' or ')' or '\\' || char.IsControl(c))
            {
                // Controls are all below 0x100 (C0, DEL, C1); a C1 character is two bytes in UTF-8, escaped byte by byte.
                foreach (var b in Encoding.UTF8.GetBytes(c.ToString()))
                {
                    builder.Append('\\').Append(b.ToString("x2", CultureInfo.InvariantCulture));
                }
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// Escapes an attribute value for an RFC 4514 DN: <c>,</c> <c>+</c> <c>"</c> <c>\</c> <c>&lt;</c> <c>&gt;</c>
    /// <c>;</c> <c>=</c> get a backslash, a leading <c>#</c> or space and a trailing space too, controls become
    /// <c>\XX</c>; so <c>x,ou=admins</c> stays one value.
    /// </summary>
    public static string EscapeDnValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var builder = new StringBuilder(value.Length + 8);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c is ',' or '+' or '"' or '\\' or '<' or '>' or ';' or '='
                || (i == 0 && c is '#' or ' ')
                || (i == value.Length - 1 && c == ' '))
            {
                builder.Append('\\').Append(c);
            }
            else if (char.IsControl(c))
            {
                foreach (var b in Encoding.UTF8.GetBytes(c.ToString()))
                {
                    builder.Append('\\').Append(b.ToString("x2", CultureInfo.InvariantCulture));
                }
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// Replaces each placeholder of <paramref name="template"/> with its value escaped by <paramref name="escape"/>.
    /// Placeholders are replaced in one pass, so a value that contains a placeholder's text stays literal.
    /// </summary>
    public static string Render(string template, Func<string, string> escape, params (string Placeholder, string Value)[] values)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(escape);
        var builder = new StringBuilder(template.Length + 32);
        var i = 0;
        while (i < template.Length)
        {
            var matched = false;
            foreach (var (placeholder, value) in values)
            {
                if (string.CompareOrdinal(template, i, placeholder, 0, placeholder.Length) == 0)
                {
                    builder.Append(escape(value));
                    i += placeholder.Length;
                    matched = true;
                    break;
                }
            }

            if (!matched)
            {
                builder.Append(template[i++]);
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// The value of the first attribute of a DN (RFC 4514, escapes undone): <c>cn=ci,ou=groups,dc=example,dc=test</c>
    /// → <c>ci</c>; <c>CN=CI Team\, Berlin,OU=Groups,…</c> → <c>CI Team, Berlin</c>. Null when the text is not a DN.
    /// </summary>
    public static string? FirstRdnValue(string dn)
    {
        ArgumentNullException.ThrowIfNull(dn);
        var equals = dn.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            return null;
        }

        var bytes = new List<byte>(dn.Length);
        var i = equals + 1;
        while (i < dn.Length && dn[i] == ' ')
        {
            i++; // spaces around '=' are allowed by older (RFC 2253) writers
        }

        var end = 0;
        while (i < dn.Length)
        {
            var c = dn[i];
            if (c is ',' or '+' or ';')
            {
                break;
            }

            if (c == '\\')
            {
                if (i + 2 < dn.Length && Uri.IsHexDigit(dn[i + 1]) && Uri.IsHexDigit(dn[i + 2]))
                {
                    bytes.Add(byte.Parse(dn.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 3;
                }
                else if (i + 1 < dn.Length)
                {
                    bytes.AddRange(Encoding.UTF8.GetBytes(dn[i + 1].ToString()));
                    i += 2;
                }
                else
                {
                    return null; // a trailing backslash
                }

                end = bytes.Count;
                continue;
            }

            bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            if (c != ' ')
            {
                end = bytes.Count;
            }

            i++;
        }

        // Unescaped trailing spaces are not part of the value; an escaped one is (end moved past it).
        var value = Encoding.UTF8.GetString(bytes.GetRange(0, Math.Min(end, bytes.Count)).ToArray());
        return value.Length == 0 ? null : value;
    }
}
