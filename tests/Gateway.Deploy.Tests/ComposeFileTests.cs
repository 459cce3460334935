using System.Text.RegularExpressions;
using Gateway.Deploy.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Gateway.Deploy.Tests;

/// <summary>docker-compose.cluster.yml: what users run with <c>docker compose up --scale edge=N</c>.</summary>
public sealed partial class ComposeFileTests
{
    private const string ComposeFile = "docker-compose.cluster.yml";

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
            Assert.Superset(new HashSet<string> { "haproxy", "edge", "silo-1", "silo-2", "redis", "registry-1", "registry-2", "jaeger", "prometheus", "grafana" }, services);
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
    }

    [Fact]
    public void Edge_TrustsTheLoadBalancersFixedAddress_AndReachesBothRegistries()
    {
        var env = Service("edge").Environment();
        var haproxyAddress = Yaml.WithDefaults(Service("haproxy").Map("networks").Map("gateway").Text("ipv4_address")!);
        Assert.Equal(haproxyAddress, env["Gateway__Network__KnownProxies__0"]);
        var subnet = Yaml.WithDefaults(((YamlMappingNode)Compose.Map("networks").Map("gateway").Map("ipam").Items("config")[0]).Text("subnet")!);
        Assert.StartsWith(subnet[..subnet.LastIndexOf('.')], haproxyAddress, StringComparison.Ordinal);

        var backends = env.Where(e => e.Key.StartsWith("Gateway__Backend__Urls__", StringComparison.Ordinal)).Select(e => new Uri(e.Value)).ToList();
        var registries = ServicesWithImage("registry:").Select(r => r.Name).ToHashSet();
        Assert.Equal(registries, backends.Select(b => b.Host).ToHashSet());
        Assert.All(backends, b => Assert.Equal(5000, b.Port));
        Assert.Equal("/run/secrets/htpasswd", env["Gateway__Auth__HtpasswdFile"]);
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

            var root = env["REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY"];
            var mounts = registry.Items("volumes").Select(v => v.Text()!.Split(':')).Where(v => v.Length >= 2 && v[1] == root).ToList();
            var mount = Assert.Single(mounts);
            Assert.Contains(mount[0], topVolumes);  // a named volume, the same for every replica
            storageVolumes.Add(mount[0]);
        }

        Assert.Single(secretFiles);
        Assert.Single(storageVolumes);
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
            Assert.Equal("redis:6379", env["Gateway__Cluster__Redis"]);
            Assert.NotNull(Services.Get("redis"));
            // A fixed address would be wrong in every container but one: each silo finds its own.
            Assert.Equal("auto", env["Gateway__Cluster__AdvertisedAddress"]);
            Assert.Null(silo.Get("entrypoint")); // the image's own entry point: the gateway is PID 1 and gets SIGTERM
            Assert.NotNull(silo.Get("healthcheck"));
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
            var endpoint = new Uri(node.Environment()["OTEL_EXPORTER_OTLP_ENDPOINT"]);
            Assert.True(endpoint.Host == "jaeger" && endpoint.Port is 4317 or 4318, $"{name} exports to {endpoint}");
        }
    }

    [Fact]
    public void PrometheusAndGrafana_MountTheObservabilityFolder()
    {
        Assert.Contains(
            "./observability/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro",
            Service("prometheus").Items("volumes").Select(v => v.Text()));
        var grafana = Service("grafana").Items("volumes").Select(v => v.Text()).ToList();
        Assert.Contains("./observability/grafana/provisioning:/etc/grafana/provisioning:ro", grafana);
        Assert.Contains("./observability/grafana/dashboards:/var/lib/grafana/dashboards:ro", grafana);
    }

    [Fact]
    public void EveryGatewayService_IsBuiltFromTheOneDockerfile()
    {
        var gateways = GatewayServices("edge").Concat(GatewayServices("silo")).ToList();
        Assert.True(gateways.Count >= 3);
        var images = new HashSet<string>();
        foreach (var (name, node) in gateways)
        {
            Assert.Equal("deploy/Dockerfile", node.Map("build").Text("dockerfile"));
            Assert.Equal(".", node.Map("build").Text("context"));
            images.Add(Yaml.WithDefaults(node.Text("image")!));
        }

        Assert.Single(images);
    }

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
