using System.Net.Http.Headers;
using System.Security.Cryptography;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.EndToEnd.Tests.TokenAuth;

/// <summary>
/// Two gateway nodes (TLS, Redis clustering) in <c>Gateway:Auth:Mode=token</c> in front of a registry without auth:
/// the edges challenge with Bearer, issue tokens at their own <c>/token</c>, validate them, and ask the subject's grain
/// about revocation and limits. The ACL is docker_auth's format; machine accounts are admitted by a rule of their own.
/// </summary>
public sealed class EdgeTokenModeFixture : IAsyncLifetime
{
    public const string AdminToken = "admin-token-for-token-mode-0123456789";
    public const int RequestLimit = 120;
    public const string Service = "gateway-e2e";

    public const string Acl = """
        acl:
          - match: {account: "", name: "public/*"}
            actions: [pull]
            comment: anonymous pulls of public images
          - match: {account: publisher, name: "public/*"}
            actions: ["*"]
          - match: {account: "robot$*"}
            actions: ["*"]
            comment: machine accounts are bounded by their own scopes
          - match: {account: reader}
            actions: [pull]
          - match: {account: "/.+/", name: "${account}/*"}
            actions: ["*"]
        """;

    /// <summary>The users; each test has its own, so one test's requests never spend another's rate budget.</summary>
    public static readonly string[] Users = ["alice", "reader", "revoked", "limited", "builder", "publisher", "fallback"];

    public TempDirectory Temp { get; } = TempDirectory.Create();

    public TestPki Pki { get; private set; } = null!;

    public RegistryServer Registry { get; private set; } = null!;

    public RedisServer Redis { get; private set; } = null!;

    public GatewayCluster Cluster { get; private set; } = null!;

    public GatewayNode A => Cluster[0];

    public GatewayNode B => Cluster[1];

    public static string PasswordOf(string user) => user + "-pw";

    public async Task InitializeAsync()
    {
        Pki = TestPki.Create(Temp);
        var htpasswd = Temp.Combine("htpasswd");
        await Htpasswd.CreateAsync(htpasswd, Htpasswd.MinimumCost, Users.Select(u => (u, PasswordOf(u))).ToArray());
        var acl = Temp.Combine("acl.yml");
        await File.WriteAllTextAsync(acl, Acl);
        var keyPath = Temp.Combine("token.key");
        using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());
        }

        Registry = await RegistryServer.StartAsync(Temp);
        Redis = await RedisServer.StartAsync(Temp);
        var template = new GatewayNodeOptions
        {
            BackendUrls = [Registry.BaseUrl.ToString().TrimEnd('/')],
            HtpasswdFile = htpasswd,
            Environment = new Dictionary<string, string?>
            {
                ["Gateway__Auth__Mode"] = "token",
                ["Gateway__Auth__AclFile"] = acl,
                ["Gateway__Auth__Anonymous"] = "true",
                ["Gateway__Token__SigningKey"] = keyPath,
                ["Gateway__Token__Issuer"] = "gateway-e2e-issuer",
                ["Gateway__Token__Service"] = Service,
                ["Gateway__Admin__Token"] = AdminToken,
                ["Gateway__RateLimit__Requests__Limit"] = RequestLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Gateway__RateLimit__Requests__Window"] = "00:10:00",
            },
        }.WithTls(Pki).WithRedis(Redis);
        Cluster = await GatewayCluster.StartAsync(2, Redis, template);
    }

    public async Task DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }

        if (Registry is not null)
        {
            await Registry.DisposeAsync();
        }

        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }

        Pki?.Dispose();
        Temp.Dispose();
    }

    /// <summary>Every key in Redis with its value (strings and hashes), as redis-cli prints them.</summary>
    public async Task<string> RedisContentsAsync()
    {
        var keys = (await Redis.RunCliAsync("--scan")).EnsureSuccess().StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var contents = new System.Text.StringBuilder();
        foreach (var key in keys)
        {
            var type = (await Redis.RunCliAsync("TYPE", key)).StandardOutput.Trim();
            var value = type switch
            {
                "string" => (await Redis.RunCliAsync("GET", key)).StandardOutput,
                "hash" => (await Redis.RunCliAsync("HGETALL", key)).StandardOutput,
                _ => type,
            };
            contents.Append(key).Append(" => ").AppendLine(value);
        }

        return contents.ToString();
    }

    /// <summary>An HTTPS client for <paramref name="node"/> trusting the test CA.</summary>
    public HttpClient Client(GatewayNode node) => node.CreateClient(Pki.Root);

    /// <summary>An admin request to <paramref name="node"/>.</summary>
    public async Task<HttpResponseMessage> AdminAsync(GatewayNode node, HttpMethod method, string path, string? json = null)
    {
        using var http = Client(node);
        using var request = new HttpRequestMessage(method, "/admin" + path) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", AdminToken) } };
        if (json is not null)
        {
            request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        }

        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }
}
