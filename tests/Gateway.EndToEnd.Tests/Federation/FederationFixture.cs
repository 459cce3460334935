using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.EndToEnd.Tests.Federation;

/// <summary>
/// Keyless CI end to end: a real OpenID provider (oidc-provider on Node, HTTPS with the test CA) trusted by two gateway
/// nodes (TLS, Redis clustering) in front of a registry. Tokens map to <c>ci/${claims:repository}</c> and must carry
/// <c>ref_protected: true</c>; the ACL lets an account push only under its own name. A second trusted issuer points at a
/// port where nothing listens (its discovery fails). Clock leeway 1 s, unknown-kid refetch at most every second, so
/// expiry and rotation are seen at once.
/// </summary>
public sealed class FederationFixture : IAsyncLifetime
{
    public const string AdminToken = "admin-token-for-federation-0123456789";
    public const string Audience = "registry-gateway-e2e";
    public const string LoginName = "oidc";

    public const string Acl = """
        acl:
          - match: {account: "/^ci\\/.+/", name: "${account}/*"}
            actions: ["*"]
            comment: a CI job's token pushes and pulls under its own account only
          - match: {account: "/^ci\\/.+/", name: "shared/${labels:owner}/*"}
            actions: ["pull"]
            comment: and pulls its organisation's shared images (label owner, from the token's repository_owner claim)
          - match: {account: alice}
            actions: ["*"]
        """;

    public TempDirectory Temp { get; } = TempDirectory.Create();

    public TestPki Pki { get; private set; } = null!;

    public OidcProvider Provider { get; private set; } = null!;

    public RegistryServer Registry { get; private set; } = null!;

    public RedisServer Redis { get; private set; } = null!;

    public GatewayCluster Cluster { get; private set; } = null!;

    public GatewayNode A => Cluster[0];

    public GatewayNode B => Cluster[1];

    /// <summary>The second trusted issuer: nothing answers there.</summary>
    public string DeadIssuer { get; private set; } = "";

    public string HtpasswdFile => Temp.Combine("htpasswd");

    public string AclFile => Temp.Combine("acl.yml");

    public async Task InitializeAsync()
    {
        Pki = TestPki.Create(Temp);
        await Htpasswd.CreateAsync(HtpasswdFile, Htpasswd.MinimumCost, [("alice", "alice-pw")]);
        await File.WriteAllTextAsync(AclFile, Acl);
        Provider = await OidcProvider.StartAsync(Pki);
        DeadIssuer = string.Create(CultureInfo.InvariantCulture, $"https://127.0.0.1:{FreePort.Next()}");
        Registry = await RegistryServer.StartAsync(Temp);
        Redis = await RedisServer.StartAsync(Temp);
        Cluster = await GatewayCluster.StartAsync(2, Redis, NodeOptions(Provider.Issuer, DeadIssuer).WithTls(Pki));
    }

    /// <summary>A node template trusting <paramref name="issuer"/> (and <paramref name="second"/>, when given) with the fixture's PKI, ACL and users.</summary>
    public GatewayNodeOptions NodeOptions(string issuer, string? second = null, IReadOnlyDictionary<string, string?>? extra = null)
    {
        var environment = new Dictionary<string, string?>
        {
            ["Gateway__Auth__AclFile"] = AclFile,
            // Federation before htpasswd: htpasswd answers every name it is given.
            ["Gateway__Auth__Providers__0"] = "machine-accounts",
            ["Gateway__Auth__Providers__1"] = "federation",
            ["Gateway__Auth__Providers__2"] = "htpasswd",
            ["Gateway__Admin__Token"] = AdminToken,
            ["Gateway__Federation__ClockSkew"] = "00:00:01",
            ["Gateway__Federation__MinimumRefreshInterval"] = "00:00:01",
            ["Gateway__Federation__FetchTimeout"] = "00:00:02",
        };
        AddIssuer(environment, 0, issuer);
        if (second is not null)
        {
            AddIssuer(environment, 1, second);
        }

        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }

        return new GatewayNodeOptions
        {
            BackendUrls = [Registry.BaseUrl.ToString().TrimEnd('/')],
            HtpasswdFile = HtpasswdFile,
            Environment = environment,
        };
    }

    /// <summary>Mints a CI-job token for <paramref name="repository"/> (protected ref, the gateway's audience).</summary>
    public Task<string> TokenAsync(string repository = "acme/app", Func<OidcProvider.TokenRequest, OidcProvider.TokenRequest>? change = null, OidcProvider? provider = null)
    {
        var request = new OidcProvider.TokenRequest(new Dictionary<string, object>
        {
            ["sub"] = $"repo:{repository}:ref:refs/heads/main",
            ["repository"] = repository,
            ["repository_owner"] = repository.Split('/')[0],
            ["ref"] = "refs/heads/main",
            ["ref_protected"] = true,
        })
        { Audience = Audience };
        return (provider ?? Provider).MintAsync(change is null ? request : change(request));
    }

    /// <summary>An HTTPS client for <paramref name="node"/> trusting the test CA.</summary>
    public HttpClient Client(GatewayNode node) => node.CreateClient(Pki.Root);

    /// <summary><c>GET /v2/</c> with Basic <c>oidc:TOKEN</c>.</summary>
    public async Task<(System.Net.HttpStatusCode Status, string Body)> GetV2Async(GatewayNode node, string token, string path = "/v2/")
    {
        using var http = Client(node);
        using var request = new HttpRequestMessage(HttpMethod.Get, path)
        {
            Headers = { Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{LoginName}:{token}"))) },
        };
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>An admin request to <paramref name="node"/>.</summary>
    public async Task<(System.Net.HttpStatusCode Status, string Body)> AdminAsync(GatewayNode node, string path)
    {
        using var http = Client(node);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin" + path) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", AdminToken) } };
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }

        foreach (var process in new IAsyncDisposable?[] { Provider, Registry, Redis })
        {
            if (process is not null)
            {
                await process.DisposeAsync();
            }
        }

        Pki?.Dispose();
        Temp.Dispose();
    }

    private void AddIssuer(Dictionary<string, string?> environment, int index, string issuer)
    {
        var key = $"Gateway__Federation__Issuers__{index}__";
        environment[key + "Issuer"] = issuer;
        environment[key + "Audience"] = Audience;
        environment[key + "CaFile"] = Pki.CaCertificatePath;
        environment[key + "AccountTemplate"] = "ci/${claims:repository}";
        environment[key + "RequiredClaims__ref_protected"] = "true";
        environment[key + "Labels__repository"] = "repository";
        environment[key + "Labels__owner"] = "repository_owner";
    }
}
