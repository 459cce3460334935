using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Gateway.Registry.Credentials;

/// <summary>Parses HTTP Basic credentials (RFC 7617) strictly, without exceptions.</summary>
public static class BasicCredentialParser
{
    /// <summary>Longest <c>Authorization</c> value accepted, in characters.</summary>
    public const int MaxHeaderLength = 4096;

    /// <summary>Longest user name accepted, in UTF-8 bytes.</summary>
    public const int MaxUserNameBytes = 256;

    /// <summary>Longest password accepted, in UTF-8 bytes (bcrypt itself reads only the first 72).</summary>
    public const int MaxPasswordBytes = 1024;

    /// <summary>
    /// False for a user name holding a character that could forge or hide log content: C0 controls, DEL, C1 controls
    /// (U+0080–U+009F, U+0085 is a line break to some readers), the line and paragraph separators U+2028 and U+2029,
    /// and the bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) that reorder what a reader sees.
    /// </summary>
    public static bool IsPrintableUserName(string user)
    {
        ArgumentNullException.ThrowIfNull(user);
        foreach (var c in user)
        {
            if (c < ' ' || c is >= '\u007f' and <= '\u009f' or '\u2028' or '\u2029' or >= '\u202a' and <= '\u202e' or >= '\u2066' and <= '\u2069')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Parses one <c>Authorization</c> header value.</summary>
    public static CredentialParseStatus TryParse(string? header, out BasicCredentials? credentials)
    {
        credentials = null;
        if (string.IsNullOrEmpty(header))
        {
            return CredentialParseStatus.Missing;
        }

        var value = header.AsSpan().Trim();
        if (value.Length < 6 || !value[..6].Equals("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return value.StartsWith("Basic", StringComparison.OrdinalIgnoreCase) ? CredentialParseStatus.Malformed : CredentialParseStatus.OtherScheme;
        }

        if (value.Length > MaxHeaderLength)
        {
            return CredentialParseStatus.Malformed;
        }

        var encoded = value[6..].Trim();
        if (encoded.IsEmpty)
        {
            return CredentialParseStatus.Malformed;
        }

        var rented = ArrayPool<byte>.Shared.Rent((encoded.Length * 3 / 4) + 3);
        try
        {
            if (!Convert.TryFromBase64Chars(encoded, rented, out var written))
            {
                return CredentialParseStatus.Malformed;
            }

            var decoded = rented.AsSpan(0, written);
            var colon = decoded.IndexOf((byte)':');
            if (colon <= 0 || colon > MaxUserNameBytes || written - colon - 1 > MaxPasswordBytes || !Utf8.IsValid(decoded))
            {
                return CredentialParseStatus.Malformed;
            }

            var user = Encoding.UTF8.GetString(decoded[..colon]);
            if (!IsPrintableUserName(user))
            {
                return CredentialParseStatus.Malformed;
            }

            credentials = new BasicCredentials(user, new Secret(decoded[(colon + 1)..].ToArray()));
            return CredentialParseStatus.Ok;
        }
        finally
        {
            rented.AsSpan().Clear();
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
