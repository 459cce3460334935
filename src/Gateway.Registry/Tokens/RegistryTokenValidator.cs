using System.Buffers;
using System.Text;
using System.Text.Json;
using Gateway.Registry.Access;

namespace Gateway.Registry.Tokens;

/// <summary>
/// Validates the tokens this gateway issued (the edge's token mode), at least as strictly as registry 2.8.2: three
/// base64url parts; a header whose <c>alg</c> is our key's algorithm and whose <c>kid</c> names our key (libtrust ID
/// or thumbprint; embedded <c>jwk</c>/<c>x5c</c> keys are never trusted); a valid signature (ES* as raw <c>r‖s</c>
/// of the exact length); then <c>iss</c>, <c>aud</c> (a string), <c>exp</c> and <c>nbf</c> with 60 seconds of
/// leeway. Thread-safe.
/// </summary>
public sealed class RegistryTokenValidator
{
    /// <summary>The longest token read, in characters.</summary>
    public const int MaxTokenLength = 64 * 1024;

    /// <summary>The clock skew allowed on <c>exp</c> and <c>nbf</c>: registry 2.8.2's <c>Leeway</c>.</summary>
    public static readonly TimeSpan Leeway = TimeSpan.FromSeconds(60);

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16 };

    private readonly TokenSigningKey _key;
    private readonly TimeProvider _time;
    private readonly string _issuer;
    private readonly string _audience;

    /// <summary>Creates a validator that accepts tokens of <paramref name="key"/> for <paramref name="options"/>' issuer and service.</summary>
    public RegistryTokenValidator(TokenSigningKey key, RegistryTokenOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Issuer, nameof(options));
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Service, nameof(options));
        _key = key;
        _time = timeProvider;
        _issuer = options.Issuer;
        _audience = options.Service;
    }

    /// <summary>Validates a token (the part after <c>Bearer </c>).</summary>
    public TokenValidationResult Validate(string? token)
    {
        if (token is null || token.Length == 0 || token.Length > MaxTokenLength)
        {
            return Fail(TokenValidationStatus.Malformed);
        }

        var span = token.AsSpan();
        var firstDot = span.IndexOf('.');
        var secondDot = firstDot < 0 ? -1 : span[(firstDot + 1)..].IndexOf('.') + firstDot + 1;
        if (firstDot < 0 || secondDot <= firstDot || span[(secondDot + 1)..].Contains('.'))
        {
            return Fail(TokenValidationStatus.Malformed);
        }

        if (!JwtEncoding.TryDecode(span[..firstDot], out var headerJson)
            || !JwtEncoding.TryDecode(span[(firstDot + 1)..secondDot], out var claimsJson)
            || !JwtEncoding.TryDecode(span[(secondDot + 1)..], out var signature)
            || !TryReadHeader(headerJson, out var algorithm, out var keyId)
            || !TryReadClaims(claimsJson, out var claims))
        {
            return Fail(TokenValidationStatus.Malformed);
        }

        if (!string.Equals(algorithm, _key.Algorithm, StringComparison.Ordinal))
        {
            return Fail(TokenValidationStatus.AlgorithmNotAllowed);
        }

        if (!_key.HasKeyId(keyId))
        {
            return Fail(TokenValidationStatus.UnknownKey);
        }

        if (!VerifySignature(span[..secondDot], signature))
        {
            return Fail(TokenValidationStatus.BadSignature);
        }

        if (!string.Equals(claims.Issuer, _issuer, StringComparison.Ordinal))
        {
            return new(TokenValidationStatus.WrongIssuer, claims);
        }

        if (!string.Equals(claims.Audience, _audience, StringComparison.Ordinal))
        {
            return new(TokenValidationStatus.WrongAudience, claims);
        }

        var now = _time.GetUtcNow();
        if (now > claims.ExpiresAt + Leeway)
        {
            return new(TokenValidationStatus.Expired, claims);
        }

        if (now < claims.NotBefore - Leeway)
        {
            return new(TokenValidationStatus.NotYetValid, claims);
        }

        return new(TokenValidationStatus.Valid, claims);
    }

    private static TokenValidationResult Fail(TokenValidationStatus status) => new(status, null);

    private bool VerifySignature(ReadOnlySpan<char> signingInput, byte[] signature)
    {
        if (signature.Length == 0)
        {
            return false;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(signingInput.Length);
        try
        {
            // Every character was checked to be base64url, so this is ASCII one byte per character.
            var length = Encoding.ASCII.GetBytes(signingInput, buffer);
            return _key.Verify(buffer.AsSpan(0, length), signature);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool TryReadHeader(byte[] json, out string? algorithm, out string? keyId)
    {
        algorithm = null;
        keyId = null;
        try
        {
            using var document = JsonDocument.Parse(json, DocumentOptions);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var member in document.RootElement.EnumerateObject())
            {
                if (!seen.Add(member.Name))
                {
                    return false;
                }

                switch (member.Name)
                {
                    case "alg":
                        if (member.Value.ValueKind != JsonValueKind.String)
                        {
                            return false;
                        }

                        algorithm = member.Value.GetString();
                        break;
                    case "kid":
                        if (member.Value.ValueKind != JsonValueKind.String)
                        {
                            return false;
                        }

                        keyId = member.Value.GetString();
                        break;
                    case "typ":
                        if (member.Value.ValueKind != JsonValueKind.String)
                        {
                            return false;
                        }

                        break;
                    case "crit":
                        // No extension is understood, so a token that declares one critical cannot be accepted (RFC 7515 §4.1.11).
                        return false;
                }
            }

            return algorithm is not null;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool TryReadClaims(byte[] json, out TokenClaims claims)
    {
        claims = null!;
        try
        {
            using var document = JsonDocument.Parse(json, DocumentOptions);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            string? issuer = null, subject = null, audience = null, jwtId = null, binding = null;
            long? expires = null, notBefore = null, issuedAt = null;
            List<AccessScope>? access = null;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var member in document.RootElement.EnumerateObject())
            {
                if (!seen.Add(member.Name))
                {
                    return false;
                }

                var ok = member.Name switch
                {
                    "iss" => TryString(member.Value, out issuer),
                    "sub" => TryString(member.Value, out subject),
                    "aud" => TryString(member.Value, out audience), // registry 2.8 cannot read a list here
                    "jti" => TryString(member.Value, out jwtId),
                    "exp" => TryTime(member.Value, out expires),
                    "nbf" => TryTime(member.Value, out notBefore),
                    "iat" => TryTime(member.Value, out issuedAt),
                    "access" => TryAccess(member.Value, out access),
                    "cbd" => TryString(member.Value, out binding),
                    _ => true,
                };
                if (!ok)
                {
                    return false;
                }
            }

            if (issuer is null || audience is null || expires is null)
            {
                return false;
            }

            claims = new TokenClaims(
                issuer,
                subject ?? string.Empty,
                audience,
                DateTimeOffset.FromUnixTimeSeconds(expires.Value),
                DateTimeOffset.FromUnixTimeSeconds(notBefore ?? 0),
                DateTimeOffset.FromUnixTimeSeconds(issuedAt ?? 0),
                jwtId ?? string.Empty,
                access is null ? TokenAccess.Empty : TokenAccess.FromClaim(access),
                binding);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool TryString(JsonElement value, out string? text)
    {
        text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        return text is not null;
    }

    private static bool TryTime(JsonElement value, out long? seconds)
    {
        seconds = null;
        if (value.ValueKind != JsonValueKind.Number
            || !value.TryGetInt64(out var number)
            || number < DateTimeOffset.MinValue.ToUnixTimeSeconds()
            || number > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return false;
        }

        seconds = number;
        return true;
    }

    private static bool TryAccess(JsonElement value, out List<AccessScope>? access)
    {
        access = null;
        if (value.ValueKind == JsonValueKind.Null)
        {
            access = [];
            return true;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        var entries = new List<AccessScope>(value.GetArrayLength());
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            string? type = null, name = null;
            List<string>? actions = null;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var member in item.EnumerateObject())
            {
                if (!seen.Add(member.Name))
                {
                    return false;
                }

                var ok = member.Name switch
                {
                    "type" => TryString(member.Value, out type),
                    "name" => TryString(member.Value, out name),
                    "class" => member.Value.ValueKind == JsonValueKind.String,
                    "actions" => TryActions(member.Value, out actions),
                    _ => true,
                };
                if (!ok)
                {
                    return false;
                }
            }

            if (type is null || name is null)
            {
                return false;
            }

            entries.Add(new AccessScope(new RegistryResource(type, name), actions ?? []));
        }

        access = entries;
        return true;
    }

    private static bool TryActions(JsonElement value, out List<string>? actions)
    {
        actions = null;
        if (value.ValueKind == JsonValueKind.Null)
        {
            actions = [];
            return true;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        var list = new List<string>(value.GetArrayLength());
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            list.Add(item.GetString()!);
        }

        actions = list;
        return true;
    }
}
