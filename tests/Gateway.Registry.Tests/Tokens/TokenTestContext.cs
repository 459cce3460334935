using System.Text;
using System.Text.Json;
using Gateway.Registry.Access;
using Gateway.Registry.Tokens;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Registry.Tests.Tokens;

/// <summary>A key, an issuer and a validator for one service, on a fake clock.</summary>
internal sealed class TokenTestContext : IDisposable
{
    public static readonly DateTimeOffset T0 = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public TokenTestContext(string algorithm = "ES256", KeyIdFormat format = KeyIdFormat.Libtrust, TimeSpan? lifetime = null)
    {
        Key = TestKeys.Load(TestKeys.ByAlgorithm(algorithm));
        Options = NewOptions(format, lifetime);
        Issuer = new RegistryTokenIssuer(Key, Options, Time);
        Validator = new RegistryTokenValidator(Key, Options, Time);
    }

    public FakeTimeProvider Time { get; } = new(T0);

    public TokenSigningKey Key { get; }

    public RegistryTokenOptions Options { get; }

    public RegistryTokenIssuer Issuer { get; }

    public RegistryTokenValidator Validator { get; }

    public static RegistryTokenOptions NewOptions(KeyIdFormat format = KeyIdFormat.Libtrust, TimeSpan? lifetime = null) => new()
    {
        Issuer = "registry-gateway",
        Service = "registry.example.com",
        SigningKey = "key.pem",
        Lifetime = lifetime ?? TimeSpan.FromMinutes(5),
        KeyIdFormat = format,
    };

    public static AccessScope Scope(string text)
    {
        Assert.True(AccessScope.TryParse(text, out var scope), text);
        return scope;
    }

    public static string[] Parts(string token)
    {
        var parts = token.Split('.');
        Assert.Equal(3, parts.Length);
        return parts;
    }

    public static string DecodeText(string base64Url) => Encoding.UTF8.GetString(Base64UrlDecode(base64Url));

    public static byte[] Base64UrlDecode(string text) => System.Buffers.Text.Base64Url.DecodeFromChars(text);

    public static string Base64UrlEncode(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    public static string Encode(string json) => Base64UrlEncode(Encoding.UTF8.GetBytes(json));

    public static JsonElement Claims(string token) => JsonDocument.Parse(DecodeText(Parts(token)[1])).RootElement;

    /// <summary>The claims JSON a valid token for now would carry, for hand-made variants.</summary>
    public string ClaimsJson(string audienceJson = "\"registry.example.com\"", string? exp = null) =>
        $$"""{"iss":"registry-gateway","sub":"alice","aud":{{audienceJson}},"exp":{{exp ?? (T0.ToUnixTimeSeconds() + 300).ToString(System.Globalization.CultureInfo.InvariantCulture)}},"nbf":{{T0.ToUnixTimeSeconds() - 10}},"iat":{{T0.ToUnixTimeSeconds()}},"jti":"x","access":[]}""";

    /// <summary>Signs any header and claims JSON with the context's key.</summary>
    public string SignRaw(string headerJson, string claimsJson) => Issuer.SignEncoded(Encode(headerJson), Encode(claimsJson));

    /// <summary>The header this context's issuer writes.</summary>
    public string HeaderJson => $$"""{"typ":"JWT","alg":"{{Key.Algorithm}}","kid":"{{Issuer.KeyId}}"}""";

    public void Dispose() => Key.Dispose();
}
