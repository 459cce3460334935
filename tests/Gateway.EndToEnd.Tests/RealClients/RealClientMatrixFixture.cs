using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.EndToEnd.Tests.RealClients;

/// <summary>
/// The real-client matrix's world: one registry, one Redis, two gateway nodes in basic mode and two in token mode
/// (each pair its own cluster, TLS with the test PKI, the same docker_auth ACL), a private dockerd (whose containerd
/// ctr uses too). Every client has a user of its own (its name, owning its namespace), <c>reader</c> may only pull, and
/// <c>locked</c> is locked in both modes at start by <see cref="MaxFailures"/> distinct wrong passwords, as an attacker
/// would. Lockout settings are the defaults (5 failures, 15 minutes), the ones real clients meet.
/// </summary>
public sealed class RealClientMatrixFixture : IAsyncLifetime
{
    public const string Reader = "reader";
    public const string Locked = "locked";
    public const string Service = "gateway-matrix";
    public const string AdminToken = "admin-token-for-the-client-matrix-0123";
    public const int MaxFailures = 5;

    public const string Acl = """
        acl:
          - match: {account: reader}
            actions: [pull]
          - match: {account: "/.+/", name: "${account}/*"}
            actions: ["*"]
        """;

    public static readonly string[] Clients = ["docker", "podman", "buildah", "skopeo", "ctr"];

    public static readonly string[] Modes = ["basic", "token"];

    private readonly Dictionary<string, string> _lockedUntil = [];

    public TempDirectory Temp { get; } = TempDirectory.Create();

    public TestPki Pki { get; private set; } = null!;

    public RegistryServer Registry { get; private set; } = null!;

    public RedisServer Redis { get; private set; } = null!;

    public GatewayCluster BasicCluster { get; private set; } = null!;

    public GatewayCluster TokenCluster { get; private set; } = null!;

    public DockerEngine Engine { get; private set; } = null!;

    public MatrixTable Table { get; } = new();

    public static string PasswordOf(string user) => user + "-pw-" + user.Length.ToString(CultureInfo.InvariantCulture);

    /// <summary>The nodes of a mode: A (pushes, logins) and B (pulls through the other node).</summary>
    public (GatewayNode A, GatewayNode B) Nodes(string mode) => mode == "token" ? (TokenCluster[0], TokenCluster[1]) : (BasicCluster[0], BasicCluster[1]);

    /// <summary>When <see cref="Locked"/>'s lock at 127.0.0.1 ends in <paramref name="mode"/>, as clients must show it (<c>yyyy-MM-ddTHH:mm:ssZ</c>).</summary>
    public string LockedUntil(string mode) => _lockedUntil[mode];

    public async Task InitializeAsync()
    {
        Pki = TestPki.Create(Temp);
        var htpasswd = Temp.Combine("htpasswd");
        await Htpasswd.CreateAsync(htpasswd, 5, [.. Clients.Append(Reader).Append(Locked).Select(u => (u, PasswordOf(u)))]);
        var acl = Temp.Combine("acl.yml");
        await File.WriteAllTextAsync(acl, Acl);
        var key = Temp.Combine("token.key");
        using (var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            await File.WriteAllTextAsync(key, ecdsa.ExportPkcs8PrivateKeyPem());
        }

        Registry = await RegistryServer.StartAsync(Temp);
        Redis = await RedisServer.StartAsync(Temp);
        var engine = DockerEngine.StartAsync(Temp);
        var basic = new GatewayNodeOptions
        {
            BackendUrls = [Registry.BaseUrl.ToString().TrimEnd('/')],
            HtpasswdFile = htpasswd,
            Environment = new Dictionary<string, string?>
            {
                ["Gateway__Auth__AclFile"] = acl,
                ["Gateway__Admin__Token"] = AdminToken,
            },
        }.WithTls(Pki);
        basic = basic with { Environment = new Dictionary<string, string?>(basic.Environment) { ["Gateway__Cluster__ServiceId"] = basic.ClusterId } };
        var token = new GatewayNodeOptions { BackendUrls = basic.BackendUrls, HtpasswdFile = htpasswd }.WithTls(Pki);
        token = token with
        {
            Environment = new Dictionary<string, string?>(basic.Environment)
            {
                ["Gateway__Cluster__ServiceId"] = token.ClusterId,
                ["Gateway__Auth__Mode"] = "token",
                ["Gateway__Token__SigningKey"] = key,
                ["Gateway__Token__Issuer"] = "gateway-matrix-issuer",
                ["Gateway__Token__Service"] = Service,
            },
        };
        try
        {
            BasicCluster = await GatewayCluster.StartAsync(2, Redis, basic);
            TokenCluster = await GatewayCluster.StartAsync(2, Redis, token);
        }
        finally
        {
            Engine = await engine;
        }

        foreach (var mode in Modes)
        {
            _lockedUntil[mode] = await LockAsync(mode);
        }
    }

    public async Task DisposeAsync()
    {
        if (Table.Rows.Count > 0)
        {
            Table.WriteFile();
        }

        if (Engine is not null)
        {
            await Engine.DisposeAsync();
        }

        foreach (var cluster in new[] { BasicCluster, TokenCluster })
        {
            if (cluster is not null)
            {
                await cluster.DisposeAsync();
            }
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

    /// <summary>
    /// Locks <see cref="Locked"/> at 127.0.0.1 with distinct wrong passwords (basic: <c>GET /v2/</c>; token: the token
    /// endpoint) and answers when the lock ends, from the admin endpoint.
    /// </summary>
    private async Task<string> LockAsync(string mode)
    {
        var (a, _) = Nodes(mode);
        using var http = a.CreateClient(Pki.Root);
        for (var i = 0; i < MaxFailures; i++)
        {
            var path = mode == "token" ? $"/token?service={Service}" : "/v2/";
            using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Authorization = Basic(Locked, $"guess-{i}") } };
            using var response = await http.SendAsync(request);
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using var status = new HttpRequestMessage(HttpMethod.Get, $"/admin/users/{Locked}") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", AdminToken) } };
        using var answer = await http.SendAsync(status);
        var json = await answer.Content.ReadFromJsonAsync<JsonElement>();
        var pair = json.GetProperty("addresses").EnumerateArray().Single(p => p.GetProperty("address").GetString() == "127.0.0.1");
        var until = pair.GetProperty("lockedUntil").GetDateTimeOffset();
        return until.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
    }

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{user}:{password}")));
}
