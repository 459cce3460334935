using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.EndToEnd.Tests.Protection;

/// <summary>
/// A registry, Redis and three gateway nodes (role all) that trust 127.0.0.1 as a load balancer, so a test gives each
/// request its client address through <c>X-Forwarded-For</c>. Small limits so tests reach them quickly.
/// </summary>
public class ProtectedClusterFixture : IAsyncLifetime
{
    public const string Password = "right-password-1";
    public const string AdminToken = "admin-token-0123456789abcdef";
    public const int MaxFailures = 5;
    public const int MaxFailuresPerAddress = 20;
    public const int RequestLimit = 30;
    public const int PullLimit = 4;
    public static readonly TimeSpan LockDuration = TimeSpan.FromSeconds(8);

    /// <summary>
    /// What a locked pair's <c>GET /v2/</c> (a login check, which <see cref="StatusAsync"/> sends) is answered with: a 303
    /// to an <c>account-locked:</c> URI, the one answer docker login and podman/skopeo login report (other requests: 403).
    /// </summary>
    public const HttpStatusCode LockedLogin = HttpStatusCode.SeeOther;

    public static readonly string[] Users = ["lock-a", "lock-b", "lock-c", "rate-a", "pull-a", "pusher", "spray-victim", "repeat-a"];

    public TempDirectory Temp { get; } = TempDirectory.Create();

    public RegistryServer Registry { get; private set; } = null!;

    public RedisServer Redis { get; private set; } = null!;

    public GatewayCluster Cluster { get; private set; } = null!;

    public IReadOnlyList<GatewayNode> Nodes => Cluster.Nodes;

    public string HtpasswdPath => Temp.Combine("htpasswd");

    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    public virtual async Task InitializeAsync()
    {
        await Htpasswd.CreateAsync(HtpasswdPath, 6, Users.Select(u => (u, Password)).ToArray());
        Registry = await RegistryServer.StartAsync(Temp);
        Redis = await RedisServer.StartAsync(Temp);
        var template = new GatewayNodeOptions
        {
            BackendUrls = [Registry.BaseUrl.ToString().TrimEnd('/')],
            HtpasswdFile = HtpasswdPath,
            KnownProxies = ["127.0.0.1"],
            Environment = new Dictionary<string, string?>
            {
                ["Gateway__Lockout__MaxFailures"] = MaxFailures.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Gateway__Lockout__MaxFailuresPerAddress"] = MaxFailuresPerAddress.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Gateway__Lockout__Duration"] = LockDuration.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
                ["Gateway__RateLimit__Requests__Limit"] = RequestLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Gateway__RateLimit__Requests__Window"] = "00:10:00",
                ["Gateway__RateLimit__Pulls__Limit"] = PullLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Gateway__RateLimit__Pulls__Window"] = "00:10:00",
                ["Gateway__Admin__Token"] = AdminToken,
            },
        }.WithRedis(Redis);
        Cluster = await GatewayCluster.StartAsync(3, Redis, template);
    }

    public virtual async Task DisposeAsync()
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

        Temp.Dispose();
    }

    /// <summary>Sends <c>GET /v2/</c> (or <paramref name="path"/>) as <paramref name="user"/> from <paramref name="client"/>.</summary>
    public static async Task<HttpResponseMessage> SendAsync(GatewayNode node, string user, string password, string client, string path = "/v2/", HttpMethod? method = null)
    {
        using var http = node.CreateClient();
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, path) { Headers = { Authorization = Basic(user, password) } };
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", client);
        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    public static async Task<HttpStatusCode> StatusAsync(GatewayNode node, string user, string password, string client)
    {
        using var response = await SendAsync(node, user, password, client);
        return response.StatusCode;
    }
}
