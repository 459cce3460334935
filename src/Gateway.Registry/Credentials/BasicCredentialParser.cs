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

            var user = decoded[..colon];
            foreach (var b in user)
            {
                if (b < 0x20 || b == 0x7f)
                {
                    return CredentialParseStatus.Malformed;
                }
            }

            credentials = new BasicCredentials(Encoding.UTF8.GetString(user), new Secret(decoded[(colon + 1)..].ToArray()));
            return CredentialParseStatus.Ok;
        }
        finally
        {
            rented.AsSpan().Clear();
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
