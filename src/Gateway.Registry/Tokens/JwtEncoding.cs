using System.Buffers.Text;

namespace Gateway.Registry.Tokens;

/// <summary>Strict base64url (RFC 4648 §5, no padding) as JWS compact serialization uses it.</summary>
internal static class JwtEncoding
{
    /// <summary>Encodes bytes as base64url without padding.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes) => Base64Url.EncodeToString(bytes);

    /// <summary>
    /// Decodes unpadded base64url. False for padding, whitespace, characters outside <c>[A-Za-z0-9_-]</c>, a length
    /// that no encoding has (4n+1), or unused trailing bits that are not zero (a second spelling of the same bytes).
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<char> text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length % 4 == 1)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!IsAlphabet(c))
            {
                return false;
            }
        }

        if (text.IsEmpty)
        {
            return true;
        }

        // The last character carries 2 (length 4n+2) or 4 (4n+3) unused low bits that must be zero.
        var last = Value(text[^1]);
        var unusedMask = (text.Length % 4) switch
        {
            2 => 0b1111,
            3 => 0b11,
            _ => 0,
        };
        if ((last & unusedMask) != 0)
        {
            return false;
        }

        bytes = new byte[Base64Url.GetMaxDecodedLength(text.Length)];
        if (!Base64Url.TryDecodeFromChars(text, bytes, out var written))
        {
            bytes = [];
            return false;
        }

        if (written != bytes.Length)
        {
            Array.Resize(ref bytes, written);
        }

        return true;
    }

    private static bool IsAlphabet(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';

    private static int Value(char c) => c switch
    {
        >= 'A' and <= 'Z' => c - 'A',
        >= 'a' and <= 'z' => c - 'a' + 26,
        >= '0' and <= '9' => c - '0' + 52,
        '-' => 62,
        _ => 63,
    };
}
