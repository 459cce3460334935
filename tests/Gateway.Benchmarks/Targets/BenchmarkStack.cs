using System.Globalization;
using Gateway.Benchmarks.Harness;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.Benchmarks.Targets;

/// <summary>
/// Everything one run starts on loopback: a PKI, the htpasswd files, one registry shared by every target, and the
/// targets in front of it. Disposing it stops every process it started (in reverse order) and deletes its folder.
/// </summary>
public sealed class BenchmarkStack : IAsyncDisposable
{
    public const string User = "bench";
    public const string Password = "bench-Passw0rd-1";
    public const string OtherPassword = "users-Passw0rd-2";

    /// <summary>The gateway's lockout settings in every run: its documented defaults, set explicitly.</summary>
    public static readonly IReadOnlyDictionary<string, string?> LockoutDefaults = new Dictionary<string, string?>
    {
        ["Gateway__Lockout__MaxFailures"] = "5",
        ["Gateway__Lockout__Window"] = "00:15:00",
        ["Gateway__Lockout__Duration"] = "00:15:00",
        ["Gateway__Lockout__MaxFailuresPerUser"] = "50",
        ["Gateway__Lockout__MaxFailuresPerAddress"] = "100",
    };

    public const int MaxFailures = 5;

    private readonly List<IAsyncDisposable> _owned = [];
    private readonly List<Target> _targets = [];

    private BenchmarkStack(BenchmarkOptions options, TempDirectory temp)
    {
        Options = options;
        Temp = temp;
    }

    public BenchmarkOptions Options { get; }

    public TempDirectory Temp { get; }

    public TestPki Pki { get; private set; } = null!;

    public RegistryServer Registry { get; private set; } = null!;

    public RedisServer? Redis { get; private set; }

    /// <summary>htpasswd at bcrypt cost 10 (nginx-bcrypt-10 and the gateways).</summary>
    public string Htpasswd10 => Temp.Combine("htpasswd-cost10");

    /// <summary>The gateways' token signing key (P-256), so every gateway target serves <c>/token</c>.</summary>
    public string TokenKeyPath => Temp.Combine("token.key");

    /// <summary>The service the gateways issue tokens for.</summary>
    public const string TokenService = "registry-gateway";

    /// <summary>htpasswd at bcrypt cost 5 (nginx-bcrypt-5 and the nginx of the rate-limit workload).</summary>
    public string Htpasswd5 => Temp.Combine("htpasswd-cost5");

    /// <summary>The targets, in the order each round visits them.</summary>
    public IReadOnlyList<Target> Targets => _targets;

    /// <summary>Every process of the registry (CPU of the work behind every target).</summary>
    public IReadOnlyList<int> RegistryPids() => Load.ProcFs.Processes([Registry.Process]);

    /// <summary>Every process this stack runs (for "wait until idle").</summary>
    public IReadOnlyList<int> AllPids() =>
        [.. RegistryPids(), .. _targets.SelectMany(t => t.ProxyPids())];

    public static async Task<BenchmarkStack> StartAsync(BenchmarkOptions options, IEnumerable<string> extraUsers, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        var stack = new BenchmarkStack(options, TempDirectory.Create());
        try
        {
            await stack.StartCoreAsync(extraUsers.ToList(), log, cancellationToken).ConfigureAwait(false);
            return stack;
        }
        catch
        {
            await stack.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops the targets (not the registry, Redis or the files), to free the machine for what follows.</summary>
    public async Task StopTargetsAsync()
    {
        var targets = _owned.Skip(_baseCount).Reverse().ToList();
        _owned.RemoveRange(_baseCount, _owned.Count - _baseCount);
        _targets.Clear();
        foreach (var owned in targets)
        {
            await DisposeQuietlyAsync(owned).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The rate-limit workload's pair: one nginx with three <c>server</c> blocks (three "nodes", a <c>limit_req</c>
    /// zone each) and three gateway nodes (role all, Redis) with <c>Gateway:RateLimit:Requests:Limit</c>, each
    /// serving TLS itself (the workload spreads requests over the nodes by hand).
    /// </summary>
    public async Task<RateLimitTargets> StartRateLimitTargetsAsync(int limit, TextWriter log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        Redis ??= Own(await RedisServer.StartAsync(Temp).ConfigureAwait(false));
        cancellationToken.ThrowIfCancellationRequested();
        log.WriteLine($"  starting nginx ×3 server blocks with limit_req (limit {limit}) and 3 gateway nodes with Requests:Limit={limit}…");
        var nginx = await NginxServer.StartAsync(
            Temp, "limit-req", Pki, Registry.BaseUrl, Enumerable.Range(0, 3).Select(_ => new NginxSite(Htpasswd5, limit)), Options.AccessLogs).ConfigureAwait(false);
        try
        {
            var template = GatewayTemplate() with
            {
                Environment = new Dictionary<string, string?>(GatewayEnvironment())
                {
                    ["Gateway__RateLimit__Requests__Limit"] = limit.ToString(CultureInfo.InvariantCulture),
                    ["Gateway__RateLimit__Requests__Window"] = "01:00:00",
                },
            };
            var cluster = await GatewayCluster.StartAsync(3, Redis, template.WithTls(Pki)).ConfigureAwait(false);
            return new RateLimitTargets(nginx, cluster, limit);
        }
        catch
        {
            await nginx.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await DisposeQuietlyAsync(_owned[i]).ConfigureAwait(false);
        }

        _owned.Clear();
        Pki?.Dispose();
        Temp.Dispose();
    }

    private int _baseCount;

    private async Task StartCoreAsync(List<string> extraUsers, TextWriter log, CancellationToken cancellationToken)
    {
        var o = Options;
        Pki = TestPki.Create(Temp);
        var users = new List<(string, string)> { (User, Password) };
        users.AddRange(extraUsers.Select(u => (u, OtherPassword)));
        log.WriteLine($"  htpasswd files: {users.Count} users at bcrypt cost 10 and cost 5 (htpasswd -B)…");
        await Task.WhenAll(
            Htpasswd.CreateAsync(Htpasswd10, 10, [.. users]),
            Htpasswd.CreateAsync(Htpasswd5, 5, [.. users])).ConfigureAwait(false);
        using (var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256))
        {
            await File.WriteAllTextAsync(TokenKeyPath, key.ExportPkcs8PrivateKeyPem(), cancellationToken).ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();

        // The registry's access log (one line per request) would pile up in this process's memory: off, as its
        // application log below warnings. Its children inherit this process's environment.
        Environment.SetEnvironmentVariable("REGISTRY_LOG_ACCESSLOG_DISABLED", "true");
        Registry = Own(await RegistryServer.StartAsync(Temp, new RegistryOptions { LogLevel = "warn" }).ConfigureAwait(false));
        if (o.Has(TargetNames.Gateway3))
        {
            Redis = Own(await RedisServer.StartAsync(Temp).ConfigureAwait(false));
        }

        _baseCount = _owned.Count;
        cancellationToken.ThrowIfCancellationRequested();

        if (o.Has(TargetNames.Direct))
        {
            _targets.Add(new Target
            {
                Name = TargetNames.Direct,
                Description = "the registry alone (docker-registry, plain HTTP); the Authorization header is sent and ignored",
                BaseUri = new Uri(Registry.BaseUrl, "/"),
            });
        }

        foreach (var (name, file, cost) in new (string, string?, int?)[]
                 {
                     (TargetNames.NginxTls, null, null), (TargetNames.NginxBcrypt5, Htpasswd5, 5), (TargetNames.NginxBcrypt10, Htpasswd10, 10),
                 })
        {
            if (!o.Has(name))
            {
                continue;
            }

            log.WriteLine($"  starting {name}…");
            var nginx = Own(await NginxServer.StartAsync(Temp, name, Pki, Registry.BaseUrl, [new NginxSite(file)], o.AccessLogs).ConfigureAwait(false));
            _targets.Add(new Target
            {
                Name = name,
                Description = file is null
                    ? "nginx, the recipe's TLS proxy without auth_basic: the cost of a TLS proxy alone"
                    : $"nginx, the recipe as users run it: TLS + auth_basic, htpasswd -B -C {cost} (bcrypt on every request)",
                BaseUri = nginx.BaseUri,
                Authenticates = file is not null,
                BcryptCost = cost,
                ProxyProcesses = [nginx.Process],
            });
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (o.Has(TargetNames.YarpFloor))
        {
            log.WriteLine("  starting yarp-floor (Kestrel + YARP, TLS, no auth, no middleware)…");
            var floor = Own(await YarpFloorServer.StartAsync(Pki, Registry.BaseUrl).ConfigureAwait(false));
            _targets.Add(new Target
            {
                Name = TargetNames.YarpFloor,
                Description = "Kestrel + YARP alone (this benchmark's executable in floor mode): TLS, HTTP/1.1 and HTTP/2, no auth, no middleware, the gateway's 32 KiB buffer blocks, "
                    + "forwarder set as the gateway's; what the gateway's stack costs at least",
                BaseUri = floor.BaseUri,
                ProxyProcesses = [floor.Process],
            });
        }

        // The gateway targets start together (each waits for its own readiness); whatever started is owned even when
        // another failed, so that disposing the stack stops it.
        var pending = new List<(string Name, Task<Target> Start)>();
        foreach (var (name, cache) in new[] { (TargetNames.Gateway1, false), (TargetNames.Gateway1Cache, true) })
        {
            if (o.Has(name))
            {
                log.WriteLine($"  starting {name} (one node, role all, localhost clustering, TLS{(cache ? ", edge cache on" : "")})…");
                pending.Add((name, StartSingleAsync(name, cache)));
            }
        }

        foreach (var (name, cache) in new[] { (TargetNames.Gateway3, false), (TargetNames.Gateway3Cache, true) })
        {
            if (o.Has(name))
            {
                log.WriteLine($"  starting {name} (three nodes, role all, Redis clustering, behind HAProxy{(cache ? ", edge cache on" : "")})…");
                pending.Add((name, StartThreeAsync(name, cache)));
            }
        }

        foreach (var variant in o.Variants)
        {
            log.WriteLine($"  starting {variant.TargetName} (one node as gateway-1, with {variant.Describe()})…");
            pending.Add((variant.TargetName, StartVariantAsync(variant)));
        }

        var failures = new List<Exception>();
        foreach (var (_, start) in pending)
        {
            try
            {
                _targets.Add(await start.ConfigureAwait(false));
            }
#pragma warning disable CA1031 // collected and rethrown below
            catch (Exception e)
#pragma warning restore CA1031
            {
                failures.Add(e);
            }
        }

        if (failures.Count > 0)
        {
            throw failures.Count == 1 ? failures[0] : new AggregateException(failures);
        }

        // Keep the canonical order whatever finished first.
        var order = o.TargetOrder.ToList();
        _targets.Sort((a, b) => order.IndexOf(a.Name).CompareTo(order.IndexOf(b.Name)));
    }

    private Task<Target> StartSingleAsync(string name, bool cache) =>
        StartOneNodeAsync(name, WithCache(GatewayTemplate(), cache), cache ? "; edge cache of content-addressed answers on (Gateway:Cache:Enabled)" : "");

    private Task<Target> StartVariantAsync(GatewayVariant variant)
    {
        var template = GatewayTemplate();
        var environment = new Dictionary<string, string?>(template.Environment);
        foreach (var (key, value) in variant.Settings)
        {
            environment[key] = value;
        }

        return StartOneNodeAsync(variant.TargetName, template with { Environment = environment }, $"; as gateway-1 with {variant.Describe()}");
    }

    private async Task<Target> StartOneNodeAsync(string name, GatewayNodeOptions options, string described)
    {
        var node = Own(await GatewayNode.StartAsync(options.WithTls(Pki)).ConfigureAwait(false));
        return new Target
        {
            Name = name,
            Description = "the gateway, one node (role all, localhost clustering), TLS by Kestrel, htpasswd at cost 10 "
                + "(the credential cache makes the cost irrelevant after a user's first request)"
                + described,
            BaseUri = node.BaseUri,
            Authenticates = true,
            BcryptCost = 10,
            ProxyProcesses = [node.Process],
            GatewayNodes = [node],
        };
    }

    private async Task<Target> StartThreeAsync(string name, bool cache)
    {
        // Each three-node target has its own Redis: clusters and cache invalidation channels stay apart.
        var redis = name == TargetNames.Gateway3 ? Redis! : Own(await RedisServer.StartAsync(Temp).ConfigureAwait(false));
        var cluster = Own(await GatewayCluster.StartAsync(3, redis, WithCache(GatewayTemplate(), cache) with { KnownProxies = ["127.0.0.1"] }).ConfigureAwait(false));
        var haproxy = Own(await HaproxyServer.StartAsync(
            Temp, Pki.ServerCertificatePath, Pki.ServerKeyPath, cluster.Nodes.Select(n => new HaproxyBackendServer($"edge-{n.Port}", n.Port))).ConfigureAwait(false));
        foreach (var node in cluster.Nodes)
        {
            await haproxy.WaitForServerStatusAsync($"edge-{node.Port}", "UP").ConfigureAwait(false);
        }

        return new Target
        {
            Name = name,
            Description = "the gateway, three nodes (role all, Redis clustering) behind HAProxy 2.6 with the repository's "
                + "deploy/haproxy/local.cfg: TLS terminated at HAProxy, every request balanced round-robin to the nodes over plain HTTP, "
                + "X-Forwarded-For set by HAProxy (the nodes trust 127.0.0.1); HAProxy logs every request (option httplog), as shipped"
                + (cache ? "; edge cache on, invalidations over the cluster's Redis" : ""),
            BaseUri = haproxy.BaseUri,
            Authenticates = true,
            BcryptCost = 10,
            ProxyProcesses = [.. cluster.Nodes.Select(n => n.Process), haproxy.Process, redis.Process],
            GatewayNodes = cluster.Nodes,
        };
    }

    private static GatewayNodeOptions WithCache(GatewayNodeOptions template, bool cache) =>
        cache ? template with { Environment = new Dictionary<string, string?>(template.Environment) { ["Gateway__Cache__Enabled"] = "true" } } : template;

    /// <summary>A gateway node of this stack: the registry, the cost-10 htpasswd file, <see cref="GatewayEnvironment"/>.</summary>
    public GatewayNodeOptions GatewayTemplate() => new()
    {
        BackendUrls = [Registry.BaseUrl.ToString().TrimEnd('/')],
        HtpasswdFile = Htpasswd10,
        Environment = GatewayEnvironment(),
        StopTimeout = TimeSpan.FromSeconds(15),
    };

    /// <summary>What every gateway node of the stack is started with (a token mode node adds <c>Gateway__Auth__Mode</c>).</summary>
    public Dictionary<string, string?> GatewayEnvironment()
    {
        var env = new Dictionary<string, string?>(LockoutDefaults)
        {
            ["Gateway__Token__SigningKey"] = TokenKeyPath,
            ["Gateway__Token__Issuer"] = "registry-gateway-bench",
            ["Gateway__Token__Service"] = TokenService,
        };
        if (!Options.AccessLogs)
        {
            env["Logging__LogLevel__Gateway.Audit"] = "Warning"; // the per-request audit line, as nginx's access_log off
        }

        return env;
    }

    private T Own<T>(T resource)
        where T : IAsyncDisposable
    {
        lock (_owned) // the gateway targets start concurrently
        {
            _owned.Add(resource);
        }

        return resource;
    }

    private static async Task DisposeQuietlyAsync(IAsyncDisposable resource)
    {
        try
        {
            await resource.DisposeAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // teardown goes on: every other process must still be stopped
        catch (Exception e)
#pragma warning restore CA1031
        {
            await Console.Error.WriteLineAsync($"teardown: {resource}: {e.Message}").ConfigureAwait(false);
        }
    }
}

/// <summary>The rate-limit workload's nginx (three zones) and gateway cluster; disposing stops both.</summary>
public sealed class RateLimitTargets(NginxServer nginx, GatewayCluster gateway, int limit) : IAsyncDisposable
{
    public NginxServer Nginx { get; } = nginx;

    public GatewayCluster Gateway { get; } = gateway;

    public int Limit { get; } = limit;

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync().ConfigureAwait(false);
        await Nginx.DisposeAsync().ConfigureAwait(false);
    }
}
