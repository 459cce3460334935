using System.Net.Http.Headers;
using System.Text;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.EndToEnd.Tests.DirectAuth;

/// <summary>
/// A real registry, a real Redis and two gateway nodes (role all, clustered through Redis) serving HTTPS with the
/// test PKI's chain. The htpasswd file (bcrypt cost 10, as users make it) holds <c>alice</c> and a user kept for
/// the cache test.
/// </summary>
public class DirectAuthClusterFixture : IAsyncLifetime
{
    public const string User = "alice";
    public const string Password = "s3cret-Alice";
    public const string CacheUser = "cache-probe";
    public const string CachePassword = "cache-probe-pw";

    public TempDirectory Temp { get; } = TempDirectory.Create();

    public TestPki Pki { get; private set; } = null!;

    public RegistryServer Registry { get; private set; } = null!;

    public RedisServer Redis { get; private set; } = null!;

    public GatewayCluster Cluster { get; private set; } = null!;

    public string HtpasswdPath => Temp.Combine("htpasswd");

    public GatewayNode A => Cluster[0];

    public GatewayNode B => Cluster[1];

    /// <summary>Settings a derived fixture adds to every node (environment variables).</summary>
    protected virtual IReadOnlyDictionary<string, string?> MoreEnvironment { get; } = new Dictionary<string, string?>();

    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    public async Task InitializeAsync()
    {
        Pki = TestPki.Create(Temp);
        await Htpasswd.CreateAsync(HtpasswdPath, 10, (User, Password), (CacheUser, CachePassword));
        Registry = await RegistryServer.StartAsync(Temp);
        Redis = await RedisServer.StartAsync(Temp);
        var template = new GatewayNodeOptions
        {
            BackendUrls = [Registry.BaseUrl.ToString().TrimEnd('/')],
            HtpasswdFile = HtpasswdPath,
            LogLevelGateway = "Debug",

            // These tests poll with wrong or not-yet-valid passwords (htpasswd reloads) and count bcrypt runs:
            // lockouts have tests of their own.
            Environment = new Dictionary<string, string?>
            {
                ["Gateway__Lockout__MaxFailures"] = "1000",
                ["Gateway__Lockout__MaxFailuresPerUser"] = "1000",
                ["Gateway__Lockout__MaxFailuresPerAddress"] = "1000",
            }.Concat(MoreEnvironment).ToDictionary(),
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
}
