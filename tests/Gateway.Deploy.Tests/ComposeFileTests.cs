using System.Text.RegularExpressions;
using Gateway.Deploy.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Gateway.Deploy.Tests;

/// <summary>docker-compose.cluster.yml: what users run with <c>docker compose up --scale edge=N</c>.</summary>
public sealed partial class ComposeFileTests
{
    private const string ComposeFile = "docker-compose.cluster.yml";

    /// <summary>How long the gateway lets a transfer idle (Gateway:Backend:ActivityTimeout's default): the longest a rollout must wait for.</summary>
    private static readonly TimeSpan TransferLimit = TimeSpan.FromMinutes(15);

    /// <summary>Gateway:Telemetry:MetricsPort's default.</summary>
    private const int DefaultMetricsPort = 9464;

    private static readonly YamlMappingNode Compose = Yaml.LoadMapping(Repository.Read(ComposeFile));

    private static YamlMappingNode Services => Compose.Map("services");

    private static YamlNode Service(string name) => Services.Get(name) ?? throw new Xunit.Sdk.XunitException($"no service '{name}'");

    /// <summary>Services running the gateway image with Gateway__Role = <paramref name="role"/>.</summary>
    private static List<(string Name, YamlNode Node)> GatewayServices(string role) =>
        [.. Services.Children
            .Select(c => (Name: ((YamlScalarNode)c.Key).Value!, Node: c.Value))
            .Where(s => s.Node.Environment().TryGetValue("Gateway__Role", out var r) && r == role)];

    private static List<(string Name, YamlNode Node)> ServicesWithImage(string imagePrefix) =>
        [.. Services.Children
            .Select(c => (Name: ((YamlScalarNode)c.Key).Value!, Node: c.Value))
            .Where(s => (s.Node.Text("image") ?? "").StartsWith(imagePrefix, StringComparison.Ordinal))];

    [RequiresToolFact("docker-compose", "docker-compose")]
    public async Task DockerCompose129Config_AcceptsTheFile_OnACleanCheckout()
    {
        // A clean checkout: the compose file alone in a fresh folder (no .env, no deploy/secrets/, no
        // GATEWAY_* variables). `config` resolves every interpolation, anchor and merge key and validates the schema.
        var folder = Directory.CreateTempSubdirectory("gw-compose-").FullName;
        try
        {
            File.Copy(Repository.PathOf(ComposeFile), Path.Combine(folder, ComposeFile));
            foreach (var committed in EnvFiles())
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(folder, committed))!);
                File.Copy(Repository.PathOf(committed), Path.Combine(folder, committed));
            }

            var clean = Environment.GetEnvironmentVariables().Keys.Cast<string>()
                .Where(name => name.StartsWith("GATEWAY_", StringComparison.Ordinal) || name.StartsWith("COMPOSE_", StringComparison.Ordinal))
                .ToDictionary(name => name, string? (_) => null);
            var (version, versionOutput) = await Tool.RunAsync("docker-compose", ["version", "--short"], folder, clean);
            Assert.True(version == 0, versionOutput);

            var (exitCode, output) = await Tool.RunAsync("docker-compose", ["-f", ComposeFile, "config"], folder, clean);
            Assert.True(exitCode == 0, $"docker-compose {versionOutput.Trim()} config failed:\n{output}");
            Assert.DoesNotContain("WARNING", output, StringComparison.Ordinal);

            var resolved = Yaml.LoadMapping(output);
            var services = resolved.Map("services").Keys().ToHashSet();
            Assert.Superset(new HashSet<string> { "haproxy", "edge", "silo-1", "silo-2", "redis-1", "redis-2", "sentinel-1", "sentinel-2", "sentinel-3", "registry-1", "registry-2", "jaeger", "prometheus", "grafana" }, services);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void TopLevel_HasNoNameAndNoVersion_AndEnvFilesAreCommittedConfiguration()
    {
        Assert.Null(Compose.Get("name"));      // docker-compose 1.29 refuses it
        Assert.Null(Compose.Get("version"));   // Compose v2 warns about it; 1.29 reads the Compose Spec without it

        // An env_file must be configuration in the repository (observability/...), never a generated or secret one.
        foreach (var file in EnvFiles())
        {
            Assert.StartsWith("observability/", file, StringComparison.Ordinal);
            Assert.True(File.Exists(Repository.PathOf(file)), $"{file} is not in the repository");
            Assert.DoesNotMatch(@"(?im)^[A-Z_]*(SECRET|PASSWORD|TOKEN)[A-Z_]*=", File.ReadAllText(Repository.PathOf(file)));
        }
    }

    /// <summary>Every env_file the services read, relative to the repository root.</summary>
    private static IEnumerable<string> EnvFiles() =>
        Services.Children.Values
            .SelectMany(s => s.Get("env_file") switch
            {
                YamlScalarNode one => [one.Value!],
                YamlSequenceNode many => many.Children.Select(c => c.Text()!),
                _ => Array.Empty<string>(),
            })
            .Select(f => f.StartsWith("./", StringComparison.Ordinal) ? f[2..] : f)
            .Distinct();

    [Fact]
    public void Edge_IsScalable_NoHostPortNoContainerName_AndHasAHealthcheckOnReadiness()
    {
        var edge = Service("edge");
        Assert.Equal("edge", edge.Environment()["Gateway__Role"]);
        Assert.Null(edge.Get("container_name"));
        Assert.Null(edge.Get("ports"));         // a host port would make a second replica fail to start
        Assert.Null(edge.Get("scale"));
        var test = string.Join(' ', edge.Map("healthcheck").Items("test").Select(t => t.Text()));
        Assert.Contains("/healthz/ready", test, StringComparison.Ordinal);
        Assert.Contains("http://127.0.0.1:8080/", test, StringComparison.Ordinal);

        // SIGTERM → drain: Compose must wait at least DrainDelay + Timeout (+ the host's 15 s margin) before SIGKILL.
        var env = edge.Environment();
        var drain = TimeSpan.Parse(env["Gateway__Shutdown__DrainDelay"], System.Globalization.CultureInfo.InvariantCulture);
        var timeout = TimeSpan.Parse(env["Gateway__Shutdown__Timeout"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(ComposeDuration(edge.Text("stop_grace_period")!) >= drain + timeout + TimeSpan.FromSeconds(15));

        // Transfers in flight may run as long as the gateway lets one idle: a rollout or scale-in does not cut them.
        Assert.True(timeout >= TransferLimit, $"Gateway:Shutdown:Timeout {timeout} is shorter than a transfer may idle ({TransferLimit})");
        Assert.True(ComposeDuration(Service("haproxy").Text("stop_grace_period") ?? "10s") >= timeout, "HAProxy is killed before the transfers it carries finish");
    }

    [Fact]
    public void Edge_TrustsOnlyTheEdgesNetwork_WhereHaproxyIsTheOnlyOtherMember_AndReachesBothRegistries()
    {
        var env = Service("edge").Environment();
        Assert.False(env.ContainsKey("Gateway__Network__KnownProxies__0")); // no fixed address to name
        var subnet = Yaml.WithDefaults(((YamlMappingNode)Compose.Map("networks").Map("edges").Map("ipam").Items("config")[0]).Text("subnet")!);
        Assert.Equal(subnet, env["Gateway__Network__KnownNetworks__0"]);
        Assert.Equal(new HashSet<string> { "haproxy", "edge" }, Members("edges"));

        var backends = env.Where(e => e.Key.StartsWith("Gateway__Backend__Urls__", StringComparison.Ordinal)).Select(e => new Uri(e.Value)).ToList();
        var registries = ServicesWithImage("registry:").Select(r => r.Name).ToHashSet();
        Assert.Equal(registries, backends.Select(b => b.Host).ToHashSet());
        Assert.All(backends, b => Assert.Equal(5000, b.Port));
        Assert.Equal("/run/secrets/htpasswd", env["Gateway__Auth__HtpasswdFile"]);
    }

    [Fact]
    public void NoService_HasAFixedAddressInsideTheNetworksDynamicPool()
    {
        // Docker hands out a network's addresses from ip_range (the whole subnet without one) to containers in the
        // order they start; a fixed address inside that pool is taken by whichever container started first.
        foreach (var (service, node) in Services.Children.Select(c => (((YamlScalarNode)c.Key).Value!, c.Value)))
        {
            if (node.Get("networks") is not YamlMappingNode networks)
            {
                continue;
            }

            foreach (var (key, settings) in networks.Children)
            {
                if (settings.Text("ipv4_address") is not { } fixedAddress)
                {
                    continue;
                }

                var network = ((YamlScalarNode)key).Value!;
                var pool = ((YamlMappingNode)Compose.Map("networks").Map(network).Map("ipam").Items("config")[0]).Text("ip_range");
                Assert.True(pool is not null, $"{service} has the fixed address {fixedAddress} on {network}, which reserves no ip_range for the others");
                Assert.False(Contains(Yaml.WithDefaults(pool!), Yaml.WithDefaults(fixedAddress)), $"{service}: {fixedAddress} is inside the dynamic pool {pool}");
            }
        }
    }

    [Fact]
    public void Networks_ClientsReachOnlyHaproxy_OnlyEdgesReachTheRegistry_OnlyEdgesAndSilosReachRedis()
    {
        // Published on every address (reachable by clients): HAProxy's TLS port and nothing else.
        foreach (var (name, node) in Services.Children.Select(c => (((YamlScalarNode)c.Key).Value!, c.Value)))
        {
            foreach (var port in node.Items("ports").Select(p => Yaml.WithDefaults(p.Text()!)))
            {
                Assert.True(name == "haproxy" || port.StartsWith("127.0.0.1:", StringComparison.Ordinal), $"{name} publishes {port} on every address");
            }
        }

        var registries = ServicesWithImage("registry:").Select(r => r.Name).ToHashSet();
        var gateways = GatewayServices("edge").Concat(GatewayServices("silo")).Select(g => g.Name).ToHashSet();
        Assert.Equal(registries.Append("edge").ToHashSet(), Peers(registries.First()));
        var redis = ServicesWithImage("redis:").Select(r => r.Name).ToHashSet();
        foreach (var server in redis)
        {
            Assert.Equal(gateways.Concat(redis).ToHashSet(), Peers(server));
        }

        // Only the networks with published ports lead out; every other one is internal.
        foreach (var (key, network) in Compose.Map("networks").Children)
        {
            var name = ((YamlScalarNode)key).Value!;
            var published = Members(name).Any(m => Service(m).Items("ports").Count > 0);
            Assert.True(published || network.Text("internal") == "true", $"network {name} has no published service and is not internal");
        }
    }

    /// <summary>The services on a network.</summary>
    private static HashSet<string> Members(string network) =>
        [.. Services.Children
            .Where(c => NetworksOf(c.Value).Contains(network))
            .Select(c => ((YamlScalarNode)c.Key).Value!)];

    /// <summary>Every service sharing at least one network with <paramref name="service"/>, itself included.</summary>
    private static HashSet<string> Peers(string service) => [.. NetworksOf(Service(service)).SelectMany(Members)];

    private static IEnumerable<string> NetworksOf(YamlNode service) => service.Get("networks") switch
    {
        YamlSequenceNode list => list.Children.Select(n => n.Text()!),
        YamlMappingNode map => map.Keys(),
        _ => ["default"],
    };

    private static bool Contains(string cidr, string address)
    {
        var network = System.Net.IPNetwork.Parse(cidr);
        return network.Contains(System.Net.IPAddress.Parse(address));
    }

    [Fact]
    public void Registries_AtLeastTwo_ShareOneHttpSecretAndOneStorageVolume_AndAreNotPublished()
    {
        var registries = ServicesWithImage("registry:");
        Assert.True(registries.Count >= 2, $"{registries.Count} registry replicas");
        var topSecrets = Compose.Map("secrets");
        var topVolumes = Compose.Map("volumes").Keys().ToHashSet();

        var secretFiles = new HashSet<string>();
        var storageVolumes = new HashSet<string>();
        foreach (var (name, registry) in registries)
        {
            Assert.Null(registry.Get("ports"));

            // REGISTRY_HTTP_SECRET: either literally in the environment or read from a compose secret by the entry point.
            var env = registry.Environment();
            if (env.TryGetValue("REGISTRY_HTTP_SECRET", out var literal))
            {
                secretFiles.Add("literal:" + literal);
            }
            else
            {
                var command = string.Join(' ', registry.Items("entrypoint").Concat(registry.Items("command")).Select(i => i.Text()));
                var match = SecretFromFile().Match(command);
                Assert.True(match.Success, $"{name}: REGISTRY_HTTP_SECRET is neither set nor read from /run/secrets: {command}");
                var secret = match.Groups[1].Value;
                Assert.Contains(secret, registry.Items("secrets").Select(s => s.Text() ?? s.Text("source")));
                secretFiles.Add(Path.GetFullPath(Path.Combine(Repository.Root, topSecrets.Map(secret).Text("file")!)));
            }

            // The storage root: from the environment, else from the shipped configuration file.
            var root = env.TryGetValue("REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY", out var fromEnvironment)
                ? fromEnvironment
                : Yaml.LoadMapping(Repository.Read("deploy/registry/config.yml")).Map("storage").Map("filesystem").Text("rootdirectory")!;
            var mounts = registry.Items("volumes").Select(v => v.Text()!.Split(':')).Where(v => v.Length >= 2 && v[1] == root).ToList();
            var mount = Assert.Single(mounts);
            Assert.Contains(mount[0], topVolumes);  // a named volume, the same for every replica
            storageVolumes.Add(mount[0]);
        }

        Assert.Single(secretFiles);
        Assert.Single(storageVolumes);
    }

    [Fact]
    public void Registries_RunTheShippedConfig_WithoutAPerReplicaCache_AndDrainForTheTransferLimit()
    {
        var config = Yaml.LoadMapping(Repository.Read("deploy/registry/config.yml"));
        Assert.Null(config.Map("storage").Get("cache")); // the stock inmemory blob descriptor cache is per replica
        Assert.Equal("true", config.Map("storage").Map("delete").Text("enabled"));
        var drain = ComposeDuration(config.Map("http").Text("draintimeout")!);
        Assert.True(drain >= TransferLimit, $"draintimeout {drain} < {TransferLimit}");
        foreach (var (name, registry) in ServicesWithImage("registry:"))
        {
            Assert.Contains("./deploy/registry/config.yml:/etc/docker/registry/config.yml:ro", registry.Items("volumes").Select(v => v.Text()));
            Assert.DoesNotContain(registry.Environment().Keys, k => k.StartsWith("REGISTRY_STORAGE_CACHE", StringComparison.Ordinal));
            Assert.True(ComposeDuration(registry.Text("stop_grace_period") ?? "10s") > drain, $"{name}: stop_grace_period does not cover the drain");
        }
    }

    [Fact]
    public void Silos_AtLeastTwo_ClusterThroughRedis_AndAdvertiseTheirOwnContainerAddress()
    {
        var silos = GatewayServices("silo");
        Assert.True(silos.Count >= 2, $"{silos.Count} silos");
        foreach (var (name, silo) in silos)
        {
            var env = silo.Environment();
            Assert.Equal("redis", env["Gateway__Cluster__Provider"]);
            Assert.Equal("sentinel-1:26379,sentinel-2:26379,sentinel-3:26379,serviceName=gateway", env["Gateway__Cluster__Redis"]);
            // A fixed address would be wrong in every container but one: each silo finds its own.
            Assert.Equal("auto", env["Gateway__Cluster__AdvertisedAddress"]);
            Assert.Null(silo.Get("entrypoint")); // the image's own entry point: the gateway is PID 1 and gets SIGTERM
            Assert.NotNull(silo.Get("healthcheck"));
        }
    }

    [Fact]
    public void Redis_PrimaryReplicaAndThreeSentinels_AnnounceServiceNames_PersistEverySecond_AndEveryGatewayAsksTheSentinels()
    {
        // Two data servers, each with its own volume and an append-only file fsynced every second; the second
        // replicates the first. Each announces its service name: a restarted container has a new address.
        foreach (var name in new[] { "redis-1", "redis-2" })
        {
            var command = Service(name).Items("command").Select(c => c.Text()!).ToList();
            Assert.Equal("redis-server", command[0]);
            Assert.Equal("yes", command[command.IndexOf("--appendonly") + 1]);
            Assert.Equal("everysec", command[command.IndexOf("--appendfsync") + 1]);
            Assert.Equal(name, command[command.IndexOf("--replica-announce-ip") + 1]);
            Assert.Contains(Service(name).Items("volumes"), v => v.Text()!.StartsWith($"{name}-data:/data", StringComparison.Ordinal));
            Assert.NotNull(Compose.Map("volumes").Get($"{name}-data"));
        }

        var replica = Service("redis-2").Items("command").Select(c => c.Text()!).ToList();
        Assert.Equal(["redis-1", "6379"], replica.Skip(replica.IndexOf("--replicaof") + 1).Take(2));

        // Three Sentinels (quorum 2: one can be lost), each keeping the file it rewrites in its own volume,
        // monitoring the first primary by name and announcing themselves by name.
        var sentinels = Services.Keys().Where(k => k.StartsWith("sentinel-", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, sentinels.Count);
        foreach (var name in sentinels)
        {
            var sentinel = Service(name);
            var script = string.Join(' ', sentinel.Items("command").Select(c => c.Text()));
            Assert.Contains("'sentinel monitor gateway redis-1 6379 2'", script, StringComparison.Ordinal);
            Assert.Contains("'sentinel resolve-hostnames yes' 'sentinel announce-hostnames yes'", script, StringComparison.Ordinal);
            Assert.Contains("\"sentinel announce-ip $$SENTINEL_NAME\"", script, StringComparison.Ordinal);
            Assert.Contains("test -f /data/sentinel.conf ||", script, StringComparison.Ordinal);
            Assert.EndsWith("exec redis-sentinel /data/sentinel.conf", script, StringComparison.Ordinal);
            Assert.Equal(name, sentinel.Environment()["SENTINEL_NAME"]);
            Assert.Contains(sentinel.Items("volumes"), v => v.Text() == $"{name}-data:/data");
        }

        // Every gateway node finds the primary through all three.
        foreach (var (name, node) in GatewayServices("edge").Concat(GatewayServices("silo")))
        {
            var endpoints = node.Environment()["Gateway__Cluster__Redis"].Split(',');
            Assert.Equal(sentinels.Select(s => $"{s}:26379").Append("serviceName=gateway"), endpoints);
        }
    }

    [Fact]
    public void Secrets_ComeFromFiles_AndNeverFromTheEnvironmentOrTheImage()
    {
        var secrets = Compose.Map("secrets");
        foreach (var (key, secret) in secrets.Children)
        {
            var file = secret.Text("file");
            Assert.False(string.IsNullOrEmpty(file), $"secret {key} is not read from a file");
            Assert.StartsWith("./deploy/secrets/", file, StringComparison.Ordinal);
        }

        Assert.Equal(
            new HashSet<string> { "htpasswd", "tls_certificate", "tls_key", "cluster_secret", "registry_http_secret" },
            secrets.Keys().ToHashSet());
        foreach (var (name, node) in GatewayServices("edge").Concat(GatewayServices("silo")))
        {
            Assert.False(node.Environment().ContainsKey("Gateway__Cluster__Secret"), $"{name} has the cluster secret in its environment");
            Assert.Contains("cluster_secret", node.Items("secrets").Select(s => s.Text() ?? s.Text("source")));
            Assert.Equal("/run/secrets/cluster_secret", node.Environment()["Gateway__Cluster__SecretFile"]);
        }

        // deploy/secrets/ is never committed, and the image's build context excludes it anyway.
        Assert.Contains("secrets/", File.ReadAllLines(Repository.PathOf("deploy/.gitignore")));
    }

    [Fact]
    public void Haproxy_UsesTheShippedConfig_PublishesTls_AndGetsTheCertificateAsSecrets()
    {
        var haproxy = Service("haproxy");
        Assert.StartsWith("haproxy:", haproxy.Text("image"), StringComparison.Ordinal);
        Assert.Contains("./deploy/haproxy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro", haproxy.Items("volumes").Select(v => v.Text()));
        Assert.Contains(haproxy.Items("ports").Select(p => Yaml.WithDefaults(p.Text()!)), p => p == "443:8443");
        var targets = haproxy.Items("secrets").ToDictionary(s => s.Text("source")!, s => s.Text("target")!);
        Assert.Equal("domain.pem", targets["tls_certificate"]);
        Assert.Equal("domain.pem.key", targets["tls_key"]);   // HAProxy loads <crt>.key next to the certificate
        Assert.Contains("crt /run/secrets/domain.pem", Repository.Read("deploy/haproxy/haproxy.cfg"), StringComparison.Ordinal);
    }

    [Fact]
    public void Jaeger_AcceptsOtlpOn4317And4318_AndEveryGatewayNodeExportsToIt()
    {
        var jaeger = Service("jaeger");
        Assert.StartsWith("jaegertracing/all-in-one:", jaeger.Text("image"), StringComparison.Ordinal);
        Assert.Equal("true", jaeger.Environment()["COLLECTOR_OTLP_ENABLED"]);
        var exposed = jaeger.Items("expose").Select(p => p.Text()).ToHashSet();
        Assert.Contains("4317", exposed);
        Assert.Contains("4318", exposed);
        foreach (var (name, node) in GatewayServices("edge").Concat(GatewayServices("silo")))
        {
            // Traces only: Jaeger takes no OTLP metrics or logs (Prometheus scrapes the metrics; logs stay on stdout).
            var env = node.Environment();
            var endpoint = new Uri(env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]);
            Assert.True(endpoint.Host == "jaeger" && endpoint.Port is 4317 or 4318, $"{name} exports to {endpoint}");
            Assert.False(env.ContainsKey("OTEL_EXPORTER_OTLP_ENDPOINT"), $"{name} sends every signal to {endpoint}");
            Assert.False(env.ContainsKey("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT") || env.ContainsKey("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"), name);
        }
    }

    [Fact]
    public void PrometheusAndGrafana_MountTheObservabilityFolder()
    {
        Assert.Contains(
            "./observability/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro",
            Service("prometheus").Items("volumes").Select(v => v.Text()));
        Assert.Contains(
            "./observability/prometheus/rules:/etc/prometheus/rules:ro",
            Service("prometheus").Items("volumes").Select(v => v.Text()));

        // Every gateway node is scraped on its metrics port, not on the port HAProxy forwards clients to.
        var prometheus = Yaml.LoadMapping(Repository.Read("observability/prometheus/prometheus.yml"));
        var ports = prometheus.Items("scrape_configs")
            .Where(job => job.Text("job_name") is "edge" or "silo")
            .SelectMany(job => job.Items("dns_sd_configs"))
            .Select(sd => int.Parse(sd.Text("port")!, System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        Assert.Equal(2, ports.Count);
        foreach (var (name, node) in GatewayServices("edge").Concat(GatewayServices("silo")))
        {
            var metricsPort = node.Environment().TryGetValue("Gateway__Telemetry__MetricsPort", out var configured) ? int.Parse(configured, System.Globalization.CultureInfo.InvariantCulture) : DefaultMetricsPort;
            Assert.All(ports, p => Assert.Equal(metricsPort, p));
            Assert.NotEqual(8080, metricsPort);
        }
        var grafana = Service("grafana").Items("volumes").Select(v => v.Text()).ToList();
        Assert.Contains("./observability/grafana/provisioning:/etc/grafana/provisioning:ro", grafana);
        Assert.Contains("./observability/grafana/dashboards:/var/lib/grafana/dashboards:ro", grafana);
    }

    [Fact]
    public void GatewayImage_IsBuiltOnce_ByTheServiceEveryOtherGatewayServiceDependsOn()
    {
        var gateways = GatewayServices("edge").Concat(GatewayServices("silo")).ToList();
        Assert.True(gateways.Count >= 3);
        Assert.Single(gateways.Select(g => Yaml.WithDefaults(g.Node.Text("image")!)).Distinct());

        // One build: Compose v2 builds every service with a build section, in parallel, even for one tag.
        var builders = Services.Children.Where(c => c.Value.Get("build") is not null).Select(c => ((YamlScalarNode)c.Key).Value!).ToList();
        var builder = Assert.Single(builders);
        var build = Service(builder).Map("build");
        Assert.Equal("deploy/Dockerfile", build.Text("dockerfile"));
        Assert.Equal(".", build.Text("context"));
        Assert.Contains(builder, gateways.Select(g => g.Name));

        // docker-compose 1.29 makes sure of images in dependency order and pulls a tag no earlier service built.
        foreach (var (name, _) in gateways.Where(g => g.Name != builder))
        {
            Assert.True(DependsOn(name, builder), $"{name} does not depend on {builder}, which builds its image");
        }
    }

    private static bool DependsOn(string service, string dependency, int depth = 0) =>
        depth < 10 && Service(service).Get("depends_on") switch
        {
            YamlMappingNode map => map.Keys().Any(d => d == dependency || DependsOn(d, dependency, depth + 1)),
            YamlSequenceNode list => list.Children.Select(c => c.Text()!).Any(d => d == dependency || DependsOn(d, dependency, depth + 1)),
            _ => false,
        };

    private static TimeSpan ComposeDuration(string value)
    {
        var match = DurationPattern().Match(value);
        Assert.True(match.Success, $"not a compose duration: {value}");
        var number = double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "m" => TimeSpan.FromMinutes(number),
            "h" => TimeSpan.FromHours(number),
            _ => TimeSpan.FromSeconds(number),
        };
    }

    [GeneratedRegex(@"REGISTRY_HTTP_SECRET=""\$\$\(cat /run/secrets/([A-Za-z0-9_-]+)\)""")]
    private static partial Regex SecretFromFile();

    [GeneratedRegex(@"^([0-9.]+)(s|m|h)$")]
    private static partial Regex DurationPattern();
}
