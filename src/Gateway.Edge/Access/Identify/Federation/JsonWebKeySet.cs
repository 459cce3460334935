using System.Buffers.Text;
using System.Collections.Frozen;
using System.Text.Json;

namespace Gateway.Edge.Access.Identify.Federation;

/// <summary>
/// An issuer's published signing keys by <c>kid</c>. Pure parsing of a JWKS document: only signature keys with a
/// <c>kid</c> that can serve RS256 (RSA ≥ 2048 bits) or ES256 (EC P-256) are kept; encryption keys, private key
/// members, other types and duplicate key ids are left out, never guessed at.
/// </summary>
public sealed class JsonWebKeySet
{
    private JsonWebKeySet(FrozenDictionary<string, SigningKey> keys) => Keys = keys;

    /// <summary>The usable keys by key id.</summary>
    public FrozenDictionary<string, SigningKey> Keys { get; }

    /// <summary>An empty set.</summary>
    public static JsonWebKeySet Empty { get; } = new(FrozenDictionary<string, SigningKey>.Empty);

    /// <summary>Parses a JWKS document; null when it is not one (no <c>keys</c> array).</summary>
    public static JsonWebKeySet? TryParse(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 8 });
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            var found = new Dictionary<string, SigningKey>(StringComparer.Ordinal);
            var duplicates = new HashSet<string>(StringComparer.Ordinal);
            foreach (var jwk in keys.EnumerateArray())
            {
                if (ToKey(jwk) is not { } key)
                {
                    continue;
                }

                if (!found.TryAdd(key.KeyId, key))
                {
                    duplicates.Add(key.KeyId);
                    key.Dispose();
                }
            }

            // Two keys under one kid: which one a token means is ambiguous, so neither is used.
            foreach (var kid in duplicates)
            {
                found.Remove(kid, out var key);
                key?.Dispose();
            }

            return new JsonWebKeySet(found.ToFrozenDictionary(StringComparer.Ordinal));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static SigningKey? ToKey(JsonElement jwk)
    {
        if (jwk.ValueKind != JsonValueKind.Object || String(jwk, "kid") is not { Length: > 0 } kid
            || String(jwk, "use") is { } use && use != "sig" || jwk.TryGetProperty("d", out _))
        {
            return null;
        }

        var alg = String(jwk, "alg");
        switch (String(jwk, "kty"))
        {
            case "RSA" when alg is null or "RS256" && Bytes(jwk, "n") is { } n && Bytes(jwk, "e") is { } e:
                return SigningKey.Rsa(kid, n, e);
            case "EC" when alg is null or "ES256" && String(jwk, "crv") == "P-256" && Bytes(jwk, "x") is { } x && Bytes(jwk, "y") is { } y:
                return SigningKey.EcP256(kid, x, y);
            default:
                return null;
        }
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static byte[]? Bytes(JsonElement element, string name)
    {
        if (String(element, name) is not { Length: > 0 } text)
        {
            return null;
        }

        try
        {
            return Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
