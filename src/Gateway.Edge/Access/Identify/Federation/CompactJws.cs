using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace Gateway.Edge.Access.Identify.Federation;

/// <summary>
/// A token in JWS compact form, split and decoded but not verified: header, claims, the signed bytes and the
/// signature. Pure. Refuses what a strict validator must never try to verify: <c>alg</c> other than RS256/ES256,
/// headers that carry or point at keys, <c>crit</c>, members given twice, non-object JSON.
/// </summary>
public sealed class CompactJws
{
    private CompactJws(string algorithm, string? keyId, JsonElement claims, byte[] signingInput, byte[] signature)
    {
        Algorithm = algorithm;
        KeyId = keyId;
        Claims = claims;
        SigningInput = signingInput;
        Signature = signature;
    }

    /// <summary><c>RS256</c> or <c>ES256</c>.</summary>
    public string Algorithm { get; }

    /// <summary>The header's <c>kid</c>, if any.</summary>
    public string? KeyId { get; }

    /// <summary>The claims object (unverified until the signature is checked).</summary>
    public JsonElement Claims { get; }

    /// <summary>The ASCII bytes of <c>header.payload</c>, what the signature covers.</summary>
    public byte[] SigningInput { get; }

    /// <summary>The decoded signature.</summary>
    public byte[] Signature { get; }

    /// <summary>The <c>iss</c> claim, or null.</summary>
    public string? Issuer => Claims.TryGetProperty("iss", out var iss) && iss.ValueKind == JsonValueKind.String ? iss.GetString() : null;

    /// <summary>True when <paramref name="token"/> looks like a JWS at all (three dot-separated base64url parts): cheap, no decoding.</summary>
    public static bool LooksLikeJws(ReadOnlySpan<char> token) =>
        token.Count('.') == 2 && token.Length > 20 && token[0] == 'e' && token[1] == 'y' && Base64UrlText(token);

    /// <summary>Parses a token; null with the reason when it is refused before any key is looked at.</summary>
    public static CompactJws? TryParse(string token, int maxLength, out TokenRejection rejection)
    {
        if (token.Length > maxLength)
        {
            rejection = TokenRejection.TooLong;
            return null;
        }

        var first = token.IndexOf('.', StringComparison.Ordinal);
        var second = first < 0 ? -1 : token.IndexOf('.', first + 1);
        if (first <= 0 || second <= first + 1 || second == token.Length - 1 || token.IndexOf('.', second + 1) >= 0)
        {
            rejection = TokenRejection.Malformed;
            return null;
        }

        var header = Decode(token.AsSpan(0, first));
        var payload = Decode(token.AsSpan(first + 1, second - first - 1));
        var signature = Decode(token.AsSpan(second + 1));
        if (header is null || payload is null || signature is null
            || ParseObject(header) is not { } headerJson || ParseObject(payload) is not { } claims)
        {
            rejection = TokenRejection.Malformed;
            return null;
        }

        if (!headerJson.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String
            || alg.GetString() is not ("RS256" or "ES256"))
        {
            rejection = TokenRejection.UnsupportedAlgorithm;
            return null;
        }

        // A key inside the token (or a URL to fetch one from) would let its bearer choose the key it is checked with;
        // crit names extensions this validator does not implement, so it must refuse them (RFC 7515 4.1.11).
        foreach (var forbidden in (ReadOnlySpan<string>)["jwk", "jku", "x5c", "x5u", "crit", "enc", "zip"])
        {
            if (headerJson.TryGetProperty(forbidden, out _))
            {
                rejection = TokenRejection.ForbiddenHeader;
                return null;
            }
        }

        string? keyId = null;
        if (headerJson.TryGetProperty("kid", out var kid))
        {
            if (kid.ValueKind != JsonValueKind.String)
            {
                rejection = TokenRejection.Malformed;
                return null;
            }

            keyId = kid.GetString();
        }

        rejection = TokenRejection.None;
        return new CompactJws(alg.GetString()!, keyId, claims, Encoding.ASCII.GetBytes(token, 0, second), signature);
    }

    private static byte[]? Decode(ReadOnlySpan<char> part)
    {
        if (!Base64UrlText(part))
        {
            return null;
        }

        try
        {
            return Base64Url.DecodeFromChars(part);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static bool Base64UrlText(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A JSON object without a member given twice (two <c>iss</c> would mean two readings of one token).</summary>
    private static JsonElement? ParseObject(byte[] utf8)
    {
        try
        {
            using var document = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = 16 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var member in document.RootElement.EnumerateObject())
            {
                if (!names.Add(member.Name))
                {
                    return null;
                }
            }

            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
