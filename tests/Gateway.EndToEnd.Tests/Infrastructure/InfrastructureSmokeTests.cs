using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Xunit.Abstractions;

namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>Proves the end-to-end infrastructure against the bare registry (no gateway involved).</summary>
public sealed class InfrastructureSmokeTests(ITestOutputHelper output)
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public async Task SkopeoCopy_OciImageToBareRegistryAndBack_KeepsLayerDigests()
    {
        var watch = Stopwatch.StartNew();
        using var temp = TempDirectory.Create();
        var image = await TestImages.CreateOciLayoutAsync(temp.Combine("oci-src"), "v1", 8 * MiB, 4096);
        await using var registry = await RegistryServer.StartAsync(temp);
        var skopeo = Skopeo.Create(temp);
        var remote = $"docker://{registry.HostPort}/smoke/skopeo:v1";

        // --preserve-digests: without it skopeo gzips the uncompressed layers on the way to a registry.
        (await skopeo.CopyAsync(image.Reference, remote, SkopeoAccess.Insecure, "--preserve-digests")).EnsureSuccess();
        var manifest = (await skopeo.InspectRawAsync(remote, SkopeoAccess.Insecure)).EnsureSuccess().StandardOutput;
        var back = temp.Combine("oci-back");
        (await skopeo.CopyAsync(remote, $"oci:{back}:v1", SkopeoAccess.Insecure, "--dest-oci-accept-uncompressed-layers")).EnsureSuccess();
        var copied = await TestImages.ReadOciLayoutAsync(back, "v1");

        Assert.Equal(2, copied.LayerDigests.Count);
        Assert.Equal(image.LayerDigests, copied.LayerDigests);
        Assert.Equal(image.DiffIds, copied.DiffIds);
        Assert.Equal(image.ManifestDigest, TestImages.DigestOf(Encoding.UTF8.GetBytes(manifest)));
        Assert.Equal(image.ManifestDigest, copied.ManifestDigest);
        foreach (var digest in copied.LayerDigests)
        {
            Assert.Equal(digest, await TestImages.DigestOfFileAsync(copied.BlobPath(digest)));
        }

        Assert.Contains("/v2/smoke/skopeo/manifests/v1", registry.Output, StringComparison.Ordinal);
        output.WriteLine($"took {watch.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task SkopeoCopy_ToARegistry_WritesItsBlobInfoCacheInItsOwnFolder()
    {
        // Shown by where the cache lands, not by watching the machine's own cache file, which other programs may write.
        using var temp = TempDirectory.Create();
        var image = await TestImages.CreateOciLayoutAsync(temp.Combine("oci"), "v1", 4096);
        await using var registry = await RegistryServer.StartAsync(temp);
        var skopeo = Skopeo.Create(temp);

        (await skopeo.CopyAsync(image.Reference, $"docker://{registry.HostPort}/smoke/cache:v1", SkopeoAccess.Insecure)).EnsureSuccess();

        string[] own = [Path.Combine(skopeo.Directory, "var-lib", "containers", "cache"), Path.Combine(skopeo.Directory, "data", "containers", "cache")];
        Assert.Contains(own, dir => File.Exists(Path.Combine(dir, "blob-info-cache-v1.boltdb"))); // root, or another user
    }

    [Fact]
    public async Task DockerEngine_ImportPushRmiPullAndRun_WorksAndLeavesNothingOutsideItsFolder()
    {
        var watch = Stopwatch.StartNew();
        using var temp = TempDirectory.Create();
        await using var registry = await RegistryServer.StartAsync(temp);
        var engine = await DockerEngine.StartAsync(temp);
        output.WriteLine($"engine up after {watch.Elapsed.TotalSeconds:0.0} s ({engine.Isolation})");
        if (engine.IsolationNote is not null)
        {
            output.WriteLine(engine.IsolationNote);
        }

        try
        {
            var tar = temp.Combine("small.tar");
            await TestImages.CreateTarAsync(tar, 256 * 1024);
            var image = $"{registry.HostPort}/smoke/app:1";

            (await engine.RunCliAsync("import", tar, image)).EnsureSuccess();
            (await engine.RunCliAsync("push", image)).EnsureSuccess();
            (await engine.RunCliAsync("rmi", image)).EnsureSuccess();
            Assert.False((await engine.RunCliAsync("image", "inspect", image)).Succeeded);
            (await engine.RunCliAsync("pull", image)).EnsureSuccess();
            (await engine.RunCliAsync("image", "inspect", image)).EnsureSuccess();
            Assert.Contains("/v2/smoke/app/manifests/1", registry.Output, StringComparison.Ordinal);
            output.WriteLine($"import/push/rmi/pull done after {watch.Elapsed.TotalSeconds:0.0} s");

            // A container too: the shim's socket folder (/run/containerd/s), runc and the container's cgroups.
            // tini-static (docker-init, from the same package as dockerd) is the one static binary sure to be here.
            var run = await engine.RunCliAsync("run", "--rm", "--network", "none", await TiniImageAsync(engine, temp), "/tini", "--version");
            Assert.Contains("tini version", run.EnsureSuccess().StandardOutput, StringComparison.Ordinal);
            if (engine.Isolation == EngineIsolation.PrivateMountNamespace)
            {
                // The daemons did make their folders, in a /run of their own (a tmpfs in their own mount namespace), so
                // none of it is in the machine's /run: checked on the daemons themselves, not on a listing of the
                // machine's /run, which anything else running here may change.
                Assert.True(PrivateMountNamespace.HasPrivateRun(engine.Dockerd.Pid), "dockerd runs with the engine's private /run");
                Assert.True(PrivateMountNamespace.HasPrivateRun(engine.Containerd.Pid), "containerd runs with the engine's private /run");
                Assert.True(Directory.Exists($"/proc/{engine.Dockerd.Pid}/root/run/docker/plugins"), "dockerd sees its /run/docker/plugins");
                Assert.True(Directory.Exists($"/proc/{engine.Containerd.Pid}/root/run/containerd/s"), "containerd sees its shim folder");
            }
        }
        finally
        {
            await engine.DisposeAsync();
        }

        output.WriteLine($"engine down after {watch.Elapsed.TotalSeconds:0.0} s (dockerd exit {engine.Dockerd.ExitCode}, containerd exit {engine.Containerd.ExitCode})");
        Assert.Empty(ProcessTable.Referencing(engine.Root));
        Assert.Empty(Mounts.Under(engine.Root));
        Assert.Empty(engine.CgroupDirectories()); // the container's cgroups, under a parent no one else uses
        Assert.True(File.Exists(Path.Combine(engine.Root, "key.json")), "dockerd's libtrust key belongs in the engine's own folder (daemon.json), not /etc/docker");
    }

    [Fact]
    public async Task RedisServer_Started_AnswersPingAndStopsOnDispose()
    {
        var watch = Stopwatch.StartNew();
        using var temp = TempDirectory.Create();
        var redis = await RedisServer.StartAsync(temp);
        try
        {
            Assert.True(await redis.PingAsync());
            Assert.Equal("PONG", (await redis.RunCliAsync("ping")).EnsureSuccess().StandardOutput.Trim());
            (await redis.RunCliAsync("set", "smoke", "42")).EnsureSuccess();
            Assert.Equal("42", (await redis.RunCliAsync("get", "smoke")).EnsureSuccess().StandardOutput.Trim());
            Assert.Equal($"127.0.0.1:{redis.Port}", redis.ConnectionString);
        }
        finally
        {
            await redis.DisposeAsync();
        }

        Assert.True(redis.Process.HasExited);
        Assert.Empty(ProcessTable.InGroup(redis.Process.Pid));
        output.WriteLine($"took {watch.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task LdapDirectory_Started_BindsOverStartTlsAndLdapsCountedInItsLog()
    {
        var watch = Stopwatch.StartNew();
        using var temp = TempDirectory.Create();
        using var pki = TestPki.Create(temp);
        await using var ldap = await LdapDirectory.StartAsync(temp, pki);
        await ldap.AddUsersAsync([("alice", "alice-pw"), ("bob", "bob-pw")]);
        await ldap.AddGroupAsync("ci", "alice");
        var trusted = new Dictionary<string, string?> { ["LDAPTLS_CACERT"] = pki.CaCertificatePath, ["LDAPTLS_REQCERT"] = "demand" };
        var untrusted = new Dictionary<string, string?> { ["LDAPTLS_CACERT"] = pki.OtherCaCertificatePath, ["LDAPTLS_REQCERT"] = "demand" };

        var startTls = await WhoAmIAsync(ldap.Url, "-ZZ", "alice", "alice-pw", trusted);
        var ldaps = await WhoAmIAsync(ldap.TlsUrl, null, "alice", "alice-pw", trusted);
        var wrong = await WhoAmIAsync(ldap.Url, null, "bob", "nope", trusted);
        var wrongCa = await WhoAmIAsync(ldap.TlsUrl, null, "alice", "alice-pw", untrusted);
        var memberOf = await CommandRunner.RunAsync(
            "ldapsearch",
            ["-x", "-LLL", "-H", ldap.Url, "-D", LdapDirectory.ServiceDn, "-y", ldap.ServicePasswordFile, "-b", LdapDirectory.PeopleDn, "(uid=alice)", "memberOf"],
            TimeSpan.FromSeconds(30));
        await ldap.StopAsync();
        var whileStopped = await WhoAmIAsync(ldap.Url, null, "alice", "alice-pw", trusted);
        await ldap.StartAsync();
        var afterRestart = await WhoAmIAsync(ldap.Url, null, "alice", "alice-pw", trusted);

        Assert.Equal("dn:" + LdapDirectory.UserDn("alice"), startTls.EnsureSuccess().StandardOutput.Trim());
        ldaps.EnsureSuccess();
        Assert.Equal(49, wrong.ExitCode);
        Assert.NotEqual(0, wrongCa.ExitCode);
        Assert.Contains("memberOf: " + LdapDirectory.GroupDn("ci"), memberOf.EnsureSuccess().StandardOutput, StringComparison.Ordinal);
        Assert.NotEqual(0, whileStopped.ExitCode);
        afterRestart.EnsureSuccess();
        Assert.Equal(3, ldap.BindsOf(LdapDirectory.UserDn("alice")));
        Assert.Equal(3, ldap.SuccessfulUserBinds());
        Assert.Equal([new LdapBind(LdapDirectory.UserDn("bob"), 49)], ldap.Binds().Where(b => b.Dn.Contains("bob", StringComparison.Ordinal)));
        Assert.Contains("(uid=alice)", ldap.SearchFilters());
        output.WriteLine($"took {watch.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public void TestPki_LeafFromDomainCrt_ChainsThroughIntermediateToCaCrtOnly()
    {
        using var temp = TempDirectory.Create();
        using var pki = TestPki.Create(temp);

        var chainFile = new X509Certificate2Collection();
        chainFile.ImportFromPemFile(pki.ServerCertificatePath);
        Assert.Equal(2, chainFile.Count);
        var leaf = chainFile[0];
        var intermediate = chainFile[1];
        using var root = X509CertificateLoader.LoadCertificateFromFile(pki.CaCertificatePath);
        using var other = X509CertificateLoader.LoadCertificateFromFile(pki.OtherCaCertificatePath);
        using var keyed = X509Certificate2.CreateFromPemFile(pki.ServerCertificatePath, pki.ServerKeyPath);
        Assert.True(keyed.HasPrivateKey);
        Assert.Equal(leaf.Thumbprint, keyed.Thumbprint);
        Assert.StartsWith("-----BEGIN " + "PRIVATE KEY-----", File.ReadAllText(pki.ServerKeyPath), StringComparison.Ordinal); // PKCS#8, generated at run time

        var san = leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal([IPAddress.Loopback, IPAddress.IPv6Loopback], san.EnumerateIPAddresses().ToArray());
        Assert.Equal(["localhost"], san.EnumerateDnsNames().ToArray());
        Assert.Contains(leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>(), o => o.Value == "1.3.6.1.5.5.7.3.1");
        Assert.InRange(leaf.NotBefore.ToUniversalTime(), DateTime.UtcNow.AddDays(-1).AddMinutes(-5), DateTime.UtcNow.AddDays(-1).AddMinutes(5));
        Assert.InRange(leaf.NotAfter.ToUniversalTime(), DateTime.UtcNow.AddDays(30).AddMinutes(-5), DateTime.UtcNow.AddDays(30).AddMinutes(5));

        Assert.True(BuildChain(leaf, root, intermediate, out var elements), "leaf should chain to ca.crt through the intermediate");
        Assert.Equal([leaf.Thumbprint, intermediate.Thumbprint, root.Thumbprint], elements);
        Assert.False(BuildChain(leaf, root, null, out _), "without the intermediate there is no chain");
        Assert.False(BuildChain(leaf, other, intermediate, out _), "other-ca.crt must not validate the leaf");
        Assert.Equal(["ca.crt"], Directory.GetFiles(pki.CertDirectory).Select(Path.GetFileName));
        Assert.Empty(Directory.GetFiles(pki.EmptyCertDirectory));
    }

    [Fact]
    public async Task TestPki_RegistryServingDomainCrt_IsTrustedOnlyWithTheTestCa()
    {
        var watch = Stopwatch.StartNew();
        using var temp = TempDirectory.Create();
        using var pki = TestPki.Create(temp);
        await using var registry = await RegistryServer.StartAsync(
            temp, new RegistryOptions { TlsCertificatePath = pki.ServerCertificatePath, TlsKeyPath = pki.ServerKeyPath });
        var image = await TestImages.CreateOciLayoutAsync(temp.Combine("oci"), "v1", 4096);
        var skopeo = Skopeo.Create(temp);
        var remote = $"docker://{registry.HostPort}/smoke/tls:v1";

        (await skopeo.CopyAsync(image.Reference, remote, new SkopeoAccess(CertDirectory: pki.CertDirectory), "--preserve-digests")).EnsureSuccess();
        var untrusted = await skopeo.InspectRawAsync(remote, new SkopeoAccess(CertDirectory: pki.OtherCaCertDirectory));
        var noCa = await skopeo.InspectRawAsync(remote, new SkopeoAccess(CertDirectory: pki.EmptyCertDirectory));

        Assert.False(untrusted.Succeeded);
        Assert.Contains("x509", untrusted.StandardError, StringComparison.Ordinal);
        Assert.False(noCa.Succeeded);
        Assert.Contains("x509", noCa.StandardError, StringComparison.Ordinal);

        using (var trusting = TestHttp.CreateClient(registry.BaseUrl, pki.Root))
        {
            using var response = await trusting.GetAsync(new Uri("/v2/", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using (var distrusting = TestHttp.CreateClient(registry.BaseUrl, pki.OtherRoot))
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => distrusting.GetAsync(new Uri("/v2/", UriKind.Relative)));
        }

        output.WriteLine($"took {watch.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task ManagedProcess_ChildIgnoresSigterm_DisposeKillsWholeProcessGroup()
    {
        var process = ManagedProcess.Start("sh", ["-c", "trap '' TERM; sleep 300 & echo child $!; echo to-stderr >&2; wait"]);
        process.GracefulStopTimeout = TimeSpan.FromSeconds(1);
        var line = await process.WaitForLineAsync(l => l.StartsWith("child ", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        var child = int.Parse(line["child ".Length..], CultureInfo.InvariantCulture);
        await process.WaitForLineAsync(l => l == "to-stderr", TimeSpan.FromSeconds(10));
        Assert.Contains(child, ProcessTable.InGroup(process.Pid));
        Assert.Equal("sh", File.ReadAllText($"/proc/{process.Pid}/comm").Trim()); // setsid exec'd, did not fork

        await process.DisposeAsync();

        Assert.Equal(137, process.ExitCode); // SIGKILL after the ignored SIGTERM
        Assert.Empty(ProcessTable.InGroup(process.Pid));
        Assert.Contains("to-stderr", process.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ManagedProcess_WaitForLineOfExitedProcess_ThrowsWithOutput()
    {
        await using var process = ManagedProcess.Start("sh", ["-c", "echo hello; exit 3"]);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => process.WaitForLineAsync(l => l == "never", TimeSpan.FromSeconds(30)));

        Assert.Contains("hello", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, process.ExitCode);
        Assert.Equal("hello", await process.WaitForLineAsync(l => l == "hello", TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task Htpasswd_CreateUpdateRemove_EditsTheFileWithBcrypt()
    {
        using var temp = TempDirectory.Create();
        var path = temp.Combine("htpasswd");

        await Htpasswd.CreateAsync(path, Htpasswd.MinimumCost, ("alice", "s3cret"), ("bob", "hunter2"));
        var created = await File.ReadAllLinesAsync(path);
        await Htpasswd.AddOrUpdateAsync(path, Htpasswd.MinimumCost, "alice", "changed");
        var updated = await File.ReadAllLinesAsync(path);
        await Htpasswd.RemoveUserAsync(path, "bob");
        var removed = await File.ReadAllLinesAsync(path);

        Assert.Equal(["alice", "bob"], created.Select(l => l.Split(':')[0]));
        Assert.All(created, l => Assert.StartsWith("$2y$04$", l.Split(':', 2)[1], StringComparison.Ordinal));
        Assert.NotEqual(created[0], updated[0]);
        Assert.Equal(created[1], updated[1]);
        Assert.Equal([updated[0]], removed);
    }

    [Fact]
    public void GatewayBuild_FromTestAssemblyFolder_FindsRepositoryAndConfiguration()
    {
        Assert.True(File.Exists(Path.Combine(GatewayBuild.RepositoryRoot, "Gateway.sln")));
        Assert.Contains(GatewayBuild.Configuration, new[] { "Debug", "Release" });
        Assert.EndsWith(Path.Combine("src", "Gateway.Host", "bin", GatewayBuild.Configuration, "net10.0", "Gateway.Host.dll"), GatewayBuild.HostDllPath, StringComparison.Ordinal);
    }

    [Fact]
    public void GatewayNodeOptions_WithTlsRedisAndBackends_MapsToEnvironmentVariables()
    {
        using var temp = TempDirectory.Create();
        using var pki = TestPki.Create(temp);
        var options = new GatewayNodeOptions
        {
            BackendUrls = ["http://127.0.0.1:5001", "http://127.0.0.1:5002"],
            HtpasswdFile = "/tmp/x/htpasswd",
            AuthCacheTtl = TimeSpan.FromMinutes(10),
            KnownProxies = ["127.0.0.1"],
            Port = 7443,
            SiloPort = 11111,
            GatewayPort = 30000,
            Environment = new Dictionary<string, string?> { ["Extra"] = "1" },
        }.WithTls(pki) with { ClusterProvider = "redis", Redis = "127.0.0.1:6390" };

        var env = GatewayNode.EnvironmentFor(options);

        Assert.Equal("all", env["Gateway__Role"]);
        Assert.Equal("http://127.0.0.1:5002", env["Gateway__Backend__Urls__1"]);
        Assert.Equal("00:10:00", env["Gateway__Auth__CacheTtl"]);
        Assert.Equal("00:00:00", env["Gateway__Shutdown__DrainDelay"]);
        Assert.Equal("redis", env["Gateway__Cluster__Provider"]);
        Assert.Equal("127.0.0.1:6390", env["Gateway__Cluster__Redis"]);
        Assert.Equal("11111", env["Gateway__Cluster__SiloPort"]);
        Assert.Equal("127.0.0.1", env["Gateway__Network__KnownProxies__0"]);
        Assert.Equal("https://127.0.0.1:7443", env["Kestrel__Endpoints__Https__Url"]);
        Assert.Equal(pki.ServerKeyPath, env["Kestrel__Endpoints__Https__Certificate__KeyPath"]);
        Assert.False(env.ContainsKey("Kestrel__Endpoints__Http__Url"));
        Assert.Equal("1", env["Extra"]);
        Assert.Equal(options.ClusterId, (options with { Port = 1 }).ClusterId);
    }

    private static bool BuildChain(X509Certificate2 leaf, X509Certificate2 trustedRoot, X509Certificate2? intermediate, out string[] thumbprints)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(trustedRoot);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        if (intermediate is not null)
        {
            chain.ChainPolicy.ExtraStore.Add(intermediate);
        }

        var ok = chain.Build(leaf);
        thumbprints = [.. chain.ChainElements.Select(e => e.Certificate.Thumbprint)];
        return ok;
    }

    /// <summary>Imports an image holding only <c>/tini</c> (the machine's tini-static) into <paramref name="engine"/>; returns its name.</summary>
    private static async Task<string> TiniImageAsync(DockerEngine engine, TempDirectory temp)
    {
        var tar = temp.Combine("tini.tar");
        await using (var stream = File.Create(tar))
        await using (var writer = new TarWriter(stream))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, "tini")
            {
                Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute,
            };
            await using var binary = File.OpenRead("/usr/bin/docker-init");
            entry.DataStream = binary;
            await writer.WriteEntryAsync(entry);
        }

        const string image = "smoke/tini:1";
        (await engine.RunCliAsync("import", tar, image)).EnsureSuccess();
        return image;
    }

    private static Task<CommandResult> WhoAmIAsync(string url, string? startTls, string uid, string password, IReadOnlyDictionary<string, string?> environment) =>
        CommandRunner.RunAsync(
            "ldapwhoami",
            ["-x", "-H", url, .. startTls is null ? Array.Empty<string>() : [startTls], "-D", LdapDirectory.UserDn(uid), "-w", password],
            TimeSpan.FromSeconds(30),
            environment);
}
