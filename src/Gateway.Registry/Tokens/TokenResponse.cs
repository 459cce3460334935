using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Gateway.Registry.Tokens;

/// <summary>
/// The token endpoint's JSON answer (<c>token.md</c>, <c>oauth.md</c>): <c>token</c> and <c>access_token</c> (the same
/// value, for old and OAuth2 clients), <c>expires_in</c>, <c>issued_at</c> (RFC 3339, UTC), and, when asked for,
/// <c>refresh_token</c> and the OAuth2 <c>scope</c>. Holds bearer credentials: it never prints them.
/// </summary>
public sealed class TokenResponse
{
    /// <summary>The media type of the body.</summary>
    public const string ContentType = "application/json";

    /// <summary>Creates a response for a token.</summary>
    /// <param name="token">The signed token.</param>
    /// <param name="expiresIn">Seconds the token lives from <paramref name="issuedAt"/>; 60 or more.</param>
    /// <param name="issuedAt">When the token was issued.</param>
    public TokenResponse(string token, int expiresIn, DateTimeOffset issuedAt)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        ArgumentOutOfRangeException.ThrowIfLessThan(expiresIn, (int)RegistryTokenOptions.MinimumLifetime.TotalSeconds);
        Token = token;
        ExpiresIn = expiresIn;
        IssuedAt = issuedAt;
    }

    /// <summary><c>token</c>: the bearer token.</summary>
    public string Token { get; }

    /// <summary><c>access_token</c>: the same token, under its OAuth2 name.</summary>
    public string AccessToken => Token;

    /// <summary><c>expires_in</c>: seconds from <see cref="IssuedAt"/>.</summary>
    public int ExpiresIn { get; }

    /// <summary><c>issued_at</c>.</summary>
    public DateTimeOffset IssuedAt { get; }

    /// <summary><c>refresh_token</c>, only when the client asked for offline access; omitted when null.</summary>
    public string? RefreshToken { get; init; }

    /// <summary><c>scope</c>, the granted scopes, which the OAuth2 <c>POST</c> answer requires; omitted when null.</summary>
    public string? Scope { get; init; }

    /// <summary>The <c>issued_at</c> text: RFC 3339 in UTC with whole seconds, e.g. <c>2009-11-10T23:00:00Z</c>.</summary>
    public string IssuedAtText => IssuedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A response for an issued token.</summary>
    /// <param name="token">The token.</param>
    /// <param name="refreshToken">The refresh token for offline access, or null.</param>
    /// <param name="includeScope">True for the OAuth2 <c>POST</c> answer, which carries the granted <c>scope</c>.</param>
    public static TokenResponse For(IssuedToken token, string? refreshToken = null, bool includeScope = false)
    {
        ArgumentNullException.ThrowIfNull(token);
        return new TokenResponse(token.Token, token.ExpiresInSeconds, token.Claims.IssuedAt)
        {
            RefreshToken = refreshToken,
            Scope = includeScope ? token.Claims.Access.ToScopeString() : null,
        };
    }

    /// <summary>Writes the JSON object.</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("token", Token);
        writer.WriteString("access_token", Token);
        writer.WriteNumber("expires_in", ExpiresIn);
        writer.WriteString("issued_at", IssuedAtText);
        if (RefreshToken is not null)
        {
            writer.WriteString("refresh_token", RefreshToken);
        }

        if (Scope is not null)
        {
            writer.WriteString("scope", Scope);
        }

        writer.WriteEndObject();
    }

    /// <summary>The JSON body as UTF-8.</summary>
    public byte[] ToUtf8Json()
    {
        var buffer = new ArrayBufferWriter<byte>(Token.Length + (RefreshToken?.Length ?? 0) + 128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Never prints the tokens.</summary>
    public override string ToString() =>
        $"token response (expires_in {ExpiresIn}, issued_at {IssuedAtText}{(RefreshToken is null ? string.Empty : ", with refresh token")})";
}
