using System.Net.Http.Headers;
using System.Text.Json;
using Gateway.Edge.Tests.TokenServer;
using Gateway.Registry.Access;
using Gateway.Registry.Tokens;

namespace Gateway.Edge.Tests.Support;

/// <summary>
/// What the token tests do as a client of an <see cref="EdgeTestHost"/> configured with
/// <see cref="TokenEndpointTests.TokenSettings"/>: get tokens, refresh them, read errors, and check a token the way a
/// registry would (with the key the edge signs with).
/// </summary>
public static class TokenTestClient
{
    public static readonly AuthenticationHeaderValue Alice = EdgeTestHost.Basic(EdgeTestHost.User, EdgeTestHost.Password);

    /// <summary><c>GET /token?service=…&amp;{query}</c>; throws unless 200; the JSON answer.</summary>
    public static async Task<JsonDocument> GetAsync(EdgeTestHost edge, string query, AuthenticationHeaderValue? auth)
    {
        using var response = await edge.SendAsync(HttpMethod.Get, $"/token?service={TokenEndpointTests.Service}&{query}", auth);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    /// <summary>An access token for <paramref name="scope"/> (Alice's unless <paramref name="auth"/> says otherwise).</summary>
    public static async Task<string> TokenAsync(EdgeTestHost edge, string scope, AuthenticationHeaderValue? auth = null)
    {
        using var json = await GetAsync(edge, "scope=" + Uri.EscapeDataString(scope), auth ?? Alice);
        return json.RootElement.GetProperty("token").GetString()!;
    }

    /// <summary>A refresh token (<c>offline_token=true</c>).</summary>
    public static async Task<string> RefreshTokenAsync(EdgeTestHost edge, AuthenticationHeaderValue? auth = null)
    {
        using var json = await GetAsync(edge, "offline_token=true", auth ?? Alice);
        return json.RootElement.GetProperty("refresh_token").GetString()!;
    }

    /// <summary>The OAuth2 refresh grant.</summary>
    public static Task<HttpResponseMessage> RefreshAsync(EdgeTestHost edge, string refreshToken, string? scope = null)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
            ["service"] = TokenEndpointTests.Service,
            ["client_id"] = "test",
        };
        if (scope is not null)
        {
            form["scope"] = scope;
        }

        return edge.SendAsync(HttpMethod.Post, "/token", configure: r => r.Content = new FormUrlEncodedContent(form));
    }

    /// <summary>The claims of a token that validates as the registry would validate it; fails the test otherwise.</summary>
    public static TokenClaims Claims(EdgeTestHost edge, string? token)
    {
        using var key = TokenSigningKey.Load(Path.Combine(edge.Folder, "token.key"), null).Key!;
        var options = new RegistryTokenOptions { Issuer = TokenEndpointTests.Issuer, Service = TokenEndpointTests.Service };
        var result = new RegistryTokenValidator(key, options, TimeProvider.System).Validate(token);
        Assert.Equal(TokenValidationStatus.Valid, result.Status);
        return result.Claims!;
    }

    /// <summary>The first error code of a registry error body.</summary>
    public static async Task<string> ErrorCodeAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("errors")[0].GetProperty("code").GetString()!;
    }

    /// <summary>A scope from its text.</summary>
    public static AccessScope Scope(string text) => AccessScope.TryParse(text, out var scope) ? scope : throw new ArgumentException(text);
}
