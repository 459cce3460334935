using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.EndToEnd.Tests.Access;

/// <summary>
/// A real registry 2.8.2 without auth behind two gateway nodes, one in basic mode and one in token mode, with
/// docker_auth's <c>${account}/*</c> ACL: alice owns <c>alice/*</c>, bob owns <c>bob/*</c>. Bob's private repository
/// holds one layer (<see cref="BobsLayer"/>) that exists nowhere else.
/// </summary>
public sealed class RequestReadingFixture : IAsyncLifetime
{
    public const string Service = "reading-e2e";

    private const string Acl = """
        acl:
          - match: {account: "/.+/", name: "${account}/*"}
            actions: ["*"]
        """;

    private TestPki _pki = null!;

    public TempDirectory Temp { get; } = TempDirectory.Create();

    public RegistryServer Registry { get; private set; } = null!;

    public GatewayNode Basic { get; private set; } = null!;

    public GatewayNode Token { get; private set; } = null!;

    /// <summary>The digest of bob's private layer.</summary>
    public string BobsLayer { get; private set; } = null!;

    public static AuthenticationHeaderValue Alice { get; } = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:alice-pw")));

    public async Task InitializeAsync()
    {
        _pki = TestPki.Create(Temp);
        var pki = _pki;
        var htpasswd = Temp.Combine("htpasswd");
        await Htpasswd.CreateAsync(htpasswd, Htpasswd.MinimumCost, ("alice", "alice-pw"), ("bob", "bob-pw"));
        var acl = Temp.Combine("acl.yml");
        await File.WriteAllTextAsync(acl, Acl);
        var keyPath = Temp.Combine("token.key");
        using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());
        }

        Registry = await RegistryServer.StartAsync(Temp);
        var basic = new GatewayNodeOptions
        {
            BackendUrls = [Registry.BaseUrl.ToString().TrimEnd('/')],
            HtpasswdFile = htpasswd,
            Environment = new Dictionary<string, string?> { ["Gateway__Auth__AclFile"] = acl },
        }.WithTls(pki);
        var token = basic with
        {
            Environment = new Dictionary<string, string?>
            {
                ["Gateway__Auth__AclFile"] = acl,
                ["Gateway__Auth__Mode"] = "token",
                ["Gateway__Token__SigningKey"] = keyPath,
                ["Gateway__Token__Issuer"] = "reading-e2e-issuer",
                ["Gateway__Token__Service"] = Service,
            },
            ClusterId = "e2e-token-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)),
        };
        var starting = new[] { GatewayNode.StartAsync(basic), GatewayNode.StartAsync(token) };
        var nodes = await Task.WhenAll(starting);
        (Basic, Token) = (nodes[0], nodes[1]);

        // Bob's layer goes straight into the registry (POST, then PUT with the body): nobody but bob may ever read it.
        var layer = RandomNumberGenerator.GetBytes(4096);
        BobsLayer = TestImages.DigestOf(layer);
        using var direct = TestHttp.CreateClient(Registry.BaseUrl);
        using var start = await direct.PostAsync("/v2/bob/private/blobs/uploads/", null);
        var location = start.Headers.Location ?? throw new InvalidOperationException($"seeding bob's layer: {(int)start.StatusCode}");
        var put = new Uri(Registry.BaseUrl, location).ToString() + (location.ToString().Contains('?', StringComparison.Ordinal) ? "&" : "?") + "digest=" + Uri.EscapeDataString(BobsLayer);
        using var upload = await direct.PutAsync(put, new ByteArrayContent(layer) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } });
        if ((int)upload.StatusCode != 201)
        {
            throw new InvalidOperationException($"seeding bob's layer: {(int)upload.StatusCode} {await upload.Content.ReadAsStringAsync()}");
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var node in new[] { Basic, Token })
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }
        }

        if (Registry is not null)
        {
            await Registry.DisposeAsync();
        }

        _pki?.Dispose();
        Temp.Dispose();
    }

    /// <summary>The Authorization header value alice uses on <paramref name="node"/>: Basic, or a Bearer token for her repository.</summary>
    public async Task<string> AliceAuthorizationAsync(GatewayNode node)
    {
        if (node == Basic)
        {
            return Alice.ToString();
        }

        using var client = node.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/token?service={Service}&scope={Uri.EscapeDataString("repository:alice/app:pull,push")}") { Headers = { Authorization = Alice } };
        using var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return "Bearer " + json.RootElement.GetProperty("token").GetString();
    }
}
