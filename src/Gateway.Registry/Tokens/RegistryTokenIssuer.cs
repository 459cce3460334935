using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Registry.Access;

namespace Gateway.Registry.Tokens;

/// <summary>
/// Issues registry tokens as registry 2.8.2 verifies them: header <c>{"typ":"JWT","alg":…,"kid":…}</c>, claims
/// <c>iss</c>, <c>sub</c>, <c>aud</c> (a string), integer <c>exp</c>/<c>nbf</c>/<c>iat</c>, a random <c>jti</c> and
/// <c>access</c> (<c>[]</c> when nothing is granted, actions sorted), serialized without whitespace and signed with
/// raw <c>r‖s</c> (ES*) or PKCS#1 v1.5 (RS256). <c>nbf</c> is 10 seconds before <c>iat</c>, as docker_auth writes
/// it, well inside the registry's 60 s leeway. Thread-safe.
/// </summary>
public sealed class RegistryTokenIssuer
{
    /// <summary>How far <c>nbf</c> lies before <c>iat</c>, for verifiers whose clock is slightly behind.</summary>
    public static readonly TimeSpan NotBeforeSkew = TimeSpan.FromSeconds(10);

    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false };

    private readonly TokenSigningKey _key;
    private readonly TimeProvider _time;
    private readonly string _issuer;
    private readonly string _audience;
    private readonly long _lifetimeSeconds;
    private readonly string _encodedHeader;

    /// <summary>Creates an issuer for <paramref name="options"/>' issuer, service, lifetime and <c>kid</c> format.</summary>
    /// <exception cref="ArgumentException">No issuer or service, or a lifetime under 60 seconds (see <see cref="RegistryTokenOptions.Validate"/>).</exception>
    public RegistryTokenIssuer(TokenSigningKey key, RegistryTokenOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Issuer, nameof(options));
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Service, nameof(options));
        if (options.Lifetime < RegistryTokenOptions.MinimumLifetime)
        {
            throw new ArgumentException($"A token lifetime under {RegistryTokenOptions.MinimumLifetime:c} is not allowed.", nameof(options));
        }

        _key = key;
        _time = timeProvider;
        _issuer = options.Issuer;
        _audience = options.Service;
        _lifetimeSeconds = (long)options.Lifetime.TotalSeconds;
        KeyId = key.KeyId(options.KeyIdFormat);
        _encodedHeader = JwtEncoding.Encode(WriteHeader(key.Algorithm, KeyId));
    }

    /// <summary>The <c>kid</c> every token carries.</summary>
    public string KeyId { get; }

    /// <summary>
    /// Issues a token for <paramref name="subject"/> (empty for an anonymous client) granting <paramref name="granted"/>,
    /// normalized by <see cref="TokenAccess.Create"/>. A partial or empty grant is still a token.
    /// </summary>
    /// <param name="subject">The account.</param>
    /// <param name="granted">What the token grants.</param>
    /// <param name="credentialBinding">The <c>cbd</c> claim (see <see cref="TokenClaims.CredentialBinding"/>); null for none.</param>
    /// <param name="notAfter">The latest expiry (a federated CI token's own <c>exp</c>); null: the configured lifetime alone.</param>
    public IssuedToken Issue(string subject, IEnumerable<AccessScope> granted, string? credentialBinding = null, DateTimeOffset? notAfter = null)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(granted);
        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(_time.GetUtcNow().ToUnixTimeSeconds());
        var expiry = issuedAt.AddSeconds(_lifetimeSeconds);
        if (notAfter is { } limit && limit < expiry)
        {
            expiry = DateTimeOffset.FromUnixTimeSeconds(Math.Max(issuedAt.ToUnixTimeSeconds(), limit.ToUnixTimeSeconds()));
        }

        var claims = new TokenClaims(
            _issuer,
            subject,
            _audience,
            expiry,
            issuedAt - NotBeforeSkew,
            issuedAt,
            NewJwtId(),
            TokenAccess.Create(granted),
            credentialBinding);
        return new IssuedToken(Sign(claims), claims);
    }

    /// <summary>Signs arbitrary claims with this issuer's header; tests use it to build tokens the issuer would not.</summary>
    internal string Sign(TokenClaims claims) => SignPayload(WriteClaims(claims));

    /// <summary>Signs an arbitrary payload with this issuer's header.</summary>
    internal string SignPayload(ReadOnlySpan<byte> payload) => SignEncoded(_encodedHeader, JwtEncoding.Encode(payload));

    /// <summary>Joins an encoded header and payload and appends the signature over them.</summary>
    internal string SignEncoded(string encodedHeader, string encodedPayload)
    {
        var signingInput = string.Concat(encodedHeader, ".", encodedPayload);
        var length = signingInput.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            Encoding.ASCII.GetBytes(signingInput, buffer);
            var signature = _key.Sign(buffer.AsSpan(0, length));
            return string.Concat(signingInput, ".", JwtEncoding.Encode(signature));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The header JSON, compact, members in the order <c>typ</c>, <c>alg</c>, <c>kid</c>.</summary>
    internal static byte[] WriteHeader(string algorithm, string keyId)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("typ", "JWT");
            writer.WriteString("alg", algorithm);
            writer.WriteString("kid", keyId);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The claims JSON, compact, in the order of <c>jwt.md</c>'s example.</summary>
    internal static byte[] WriteClaims(TokenClaims claims)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("iss", claims.Issuer);
            writer.WriteString("sub", claims.Subject);
            writer.WriteString("aud", claims.Audience);
            writer.WriteNumber("exp", claims.ExpiresAt.ToUnixTimeSeconds());
            writer.WriteNumber("nbf", claims.NotBefore.ToUnixTimeSeconds());
            writer.WriteNumber("iat", claims.IssuedAt.ToUnixTimeSeconds());
            writer.WriteString("jti", claims.JwtId);
            writer.WriteStartArray("access");
            foreach (var entry in claims.Access.Entries)
            {
                writer.WriteStartObject();
                writer.WriteString("type", entry.Resource.Type);
                writer.WriteString("name", entry.Resource.Name);
                writer.WriteStartArray("actions");
                foreach (var action in entry.Actions)
                {
                    writer.WriteStringValue(action);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            if (claims.CredentialBinding is not null)
            {
                writer.WriteString("cbd", claims.CredentialBinding);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string NewJwtId()
    {
        Span<byte> bytes = stackalloc byte[18];
        RandomNumberGenerator.Fill(bytes);
        return JwtEncoding.Encode(bytes);
    }
}
