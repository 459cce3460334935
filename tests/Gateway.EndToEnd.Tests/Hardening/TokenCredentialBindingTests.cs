using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.EndToEnd.Tests.Hardening;

/// <summary>
/// In token mode an access token ends when its user's htpasswd entry changes: a password change ends it, and a user
/// removed and added again does not get the old tokens back (as refresh tokens already did).
/// </summary>
public sealed class TokenCredentialBindingTests
{
    private const string Service = "binding-e2e";

    [Fact]
    public async Task AccessToken_AfterPasswordChange_AndAfterRemoveAndReAdd_Refused()
    {
        using var temp = TempDirectory.Create();
        var htpasswd = temp.Combine("htpasswd");
        await Htpasswd.CreateAsync(htpasswd, Htpasswd.MinimumCost, ("alice", "first-pw"), ("bob", "bob-pw"));
        var key = temp.Combine("token.key");
        using (var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            await File.WriteAllTextAsync(key, ec.ExportPkcs8PrivateKeyPem());
        }

        await using var registry = await RegistryServer.StartAsync(temp);
        await using var node = await GatewayNode.StartAsync(new GatewayNodeOptions
        {
            BackendUrls = [registry.BaseUrl.ToString().TrimEnd('/')],
            HtpasswdFile = htpasswd,
            Environment = new Dictionary<string, string?>
            {
                ["Gateway__Auth__Mode"] = "token",
                ["Gateway__Auth__ReloadInterval"] = "00:00:00.2",
                ["Gateway__Token__SigningKey"] = key,
                ["Gateway__Token__Issuer"] = "binding-issuer",
                ["Gateway__Token__Service"] = Service,
            },
        });
        using var http = node.CreateClient();

        var first = await TokenAsync(http, "alice", "first-pw");
        Assert.NotEqual(HttpStatusCode.Unauthorized, await UseAsync(http, first));

        await Htpasswd.CreateAsync(htpasswd, Htpasswd.MinimumCost, ("alice", "second-pw"), ("bob", "bob-pw"));
        await Poll.UntilAsync(async _ => await UseAsync(http, first) == HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(10), "the token from before the password change is refused");

        var second = await TokenAsync(http, "alice", "second-pw");
        Assert.NotEqual(HttpStatusCode.Unauthorized, await UseAsync(http, second));

        await Htpasswd.CreateAsync(htpasswd, Htpasswd.MinimumCost, ("bob", "bob-pw"));
        await Poll.UntilAsync(async _ => await UseAsync(http, second) == HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(10), "the removed user's token is refused");
        await Htpasswd.CreateAsync(htpasswd, Htpasswd.MinimumCost, ("alice", "second-pw"), ("bob", "bob-pw"));
        await Poll.UntilAsync(async _ => await TokenStatusAsync(http, "alice", "second-pw") == HttpStatusCode.OK, TimeSpan.FromSeconds(10), "alice is back");

        Assert.Equal(HttpStatusCode.Unauthorized, await UseAsync(http, second));
        Assert.NotEqual(HttpStatusCode.Unauthorized, await UseAsync(http, await TokenAsync(http, "alice", "second-pw")));
    }

    private static async Task<string> TokenAsync(HttpClient http, string user, string password)
    {
        using var request = TokenRequest(user, password);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("token").GetString()!;
    }

    private static async Task<HttpStatusCode> TokenStatusAsync(HttpClient http, string user, string password)
    {
        using var request = TokenRequest(user, password);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private static HttpRequestMessage TokenRequest(string user, string password) =>
        new(HttpMethod.Get, $"/token?service={Service}&scope={Uri.EscapeDataString("repository:alice/app:pull")}")
        {
            Headers = { Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"))) },
        };

    private static async Task<HttpStatusCode> UseAsync(HttpClient http, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/alice/app/tags/list") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }
}
