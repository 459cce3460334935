using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.EndToEnd.Tests.LoadBalancing;

/// <summary>The tests through HAProxy share the cluster's back: Redis, two silos, two registry replicas.</summary>
[CollectionDefinition(Name)]
public sealed class LoadBalancingCollection : ICollectionFixture<LoadBalancingFixture>
{
    public const string Name = "load balancing";
}

/// <summary>
/// The topology of deploy/local-cluster.sh and docker-compose.cluster.yml behind the edges: Redis, two silos
/// (role silo) clustered through it, and two registry replicas sharing one storage folder and one http.secret.
/// Each test starts its own edges and HAProxy on top (<see cref="StartEdgesAsync"/>), since tests stop and kill them.
/// </summary>
public sealed class LoadBalancingFixture : IAsyncLifetime
{
    public const string User = "ci-bot";
    public const string Password = "ci-bot-Passw0rd";

    /// <summary>Shorter than the default 10 s, longer than HAProxy needs to see the edge down (fall 2 x inter 500 ms).</summary>
    public static readonly TimeSpan DrainDelay = TimeSpan.FromSeconds(2);

    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30);

    private readonly List<GatewayNode> _silos = [];

    public TempDirectory Temp { get; } = TempDirectory.Create();

    public TestPki Pki { get; private set; } = null!;

    public RedisServer Redis { get; private set; } = null!;

    public RegistryServer RegistryA { get; private set; } = null!;

    public RegistryServer RegistryB { get; private set; } = null!;

    public IReadOnlyList<GatewayNode> Silos => _silos;

    public string HtpasswdPath => Temp.Combine("htpasswd");

    /// <summary>Edges: plain HTTP on 127.0.0.1 behind HAProxy, which they trust for X-Forwarded-For/Proto.</summary>
    public GatewayNodeOptions EdgeTemplate { get; private set; } = null!;

    public SkopeoAccess Access(int retryTimes = 0) => new(User, Password, Pki.CertDirectory, RetryTimes: retryTimes);

    public Task<LoadBalancedEdges> StartEdgesAsync(int count) => LoadBalancedEdges.StartAsync(this, count);

    public async Task InitializeAsync()
    {
        Pki = TestPki.Create(Temp);
        await Htpasswd.CreateAsync(HtpasswdPath, 10, (User, Password));
        Redis = await RedisServer.StartAsync(Temp);
        RegistryA = await RegistryServer.StartAsync(Temp);
        RegistryB = await RegistryServer.StartAsync(Temp, new RegistryOptions { StorageDirectory = RegistryA.StorageDirectory, HttpSecret = RegistryA.HttpSecret });

        var shared = new GatewayNodeOptions
        {
            BackendUrls = [RegistryA.BaseUrl.ToString().TrimEnd('/'), RegistryB.BaseUrl.ToString().TrimEnd('/')],
            HtpasswdFile = HtpasswdPath,
            KnownProxies = ["127.0.0.1"],
            DrainDelay = DrainDelay,
            ShutdownTimeout = ShutdownTimeout,
            StopTimeout = DrainDelay + ShutdownTimeout + TimeSpan.FromSeconds(20),
        }.WithRedis(Redis);
        EdgeTemplate = shared with { Role = "edge" };

        _silos.Add(await GatewayNode.StartAsync(shared with { Role = "silo" }));
        _silos.Add(await GatewayNode.StartAsync(shared with { Role = "silo" }));
    }

    public async Task DisposeAsync()
    {
        await Task.WhenAll(_silos.Select(s => s.DisposeAsync().AsTask()));
        foreach (var server in new IAsyncDisposable?[] { RegistryB, RegistryA, Redis })
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }

        Pki?.Dispose();
        Temp.Dispose();
    }
}
