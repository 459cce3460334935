using System.Text;
using System.Text.Json;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.EndToEnd.Tests.Federation;

/// <summary>Proves the test OpenID provider on its own: discovery over HTTPS with the test CA, minted tokens' keys, rotation.</summary>
public sealed class OidcProviderSmokeTests
{
    [Fact]
    public async Task StartAsync_MintAndRotate_PublishesTheKeysTokensAreSignedWith()
    {
        using var temp = TempDirectory.Create();
        using var pki = TestPki.Create(temp);
        await using var provider = await OidcProvider.StartAsync(pki);
        using var http = TestHttp.CreateClient(new Uri(provider.Issuer + "/"), pki.Root);

        using var discovery = JsonDocument.Parse(await http.GetStringAsync(".well-known/openid-configuration"));
        Assert.Equal(provider.Issuer, discovery.RootElement.GetProperty("issuer").GetString());
        var jwksUri = discovery.RootElement.GetProperty("jwks_uri").GetString()!;

        var rs = await provider.MintAsync(new(new Dictionary<string, object> { ["repository"] = "acme/app" }));
        var es = await provider.MintAsync(new(new Dictionary<string, object>()) { Algorithm = "ES256" });
        Assert.Equal("RS256", HeaderOf(rs).GetProperty("alg").GetString());
        Assert.Equal("ES256", HeaderOf(es).GetProperty("alg").GetString());
        Assert.Equal("acme/app", PayloadOf(rs).GetProperty("repository").GetString());
        var published = await KeyIdsAsync(http, jwksUri);
        Assert.Contains(HeaderOf(rs).GetProperty("kid").GetString(), published);
        Assert.Contains(HeaderOf(es).GetProperty("kid").GetString(), published);

        var fresh = await provider.RotateAsync(keepOld: false);
        var after = await KeyIdsAsync(http, jwksUri);
        Assert.Equal(fresh.Order(), after.Order());
        Assert.DoesNotContain(HeaderOf(rs).GetProperty("kid").GetString(), after);
        Assert.True((await provider.GetStateAsync()).JwksFetches >= 2);
    }

    private static async Task<List<string>> KeyIdsAsync(HttpClient http, string jwksUri)
    {
        using var jwks = JsonDocument.Parse(await http.GetStringAsync(new Uri(jwksUri)));
        return jwks.RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()!).ToList();
    }

    private static JsonElement HeaderOf(string token) => Part(token, 0);

    private static JsonElement PayloadOf(string token) => Part(token, 1);

    private static JsonElement Part(string token, int index)
    {
        var part = token.Split('.')[index].Replace('-', '+').Replace('_', '/');
        part = part.PadRight(part.Length + ((4 - (part.Length % 4)) % 4), '=');
        return JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(part))).RootElement.Clone();
    }
}
