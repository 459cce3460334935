using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Gateway.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Gateway.EndToEnd.Tests.Hosting;

/// <summary>
/// What an operator sees when a setting is wrong: the real process stops at start-up with exit code 2 and a
/// message on stderr that names the configuration key and says what is expected; it never prints the secret.
/// And the node reads the appsettings.json next to its executable whatever its working directory.
/// </summary>
public sealed partial class StartupConfigurationTests(ITestOutputHelper output)
{
    private const int ConfigurationErrorExitCode = 2;
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(30);

    /// <param name="environment">
    /// <c>;</c>-separated changes to a valid node's variables: <c>NAME=value</c> sets one (the value may be empty),
    /// a bare <c>NAME</c> removes it.
    /// </param>
    /// <param name="key">The configuration key the message must name.</param>
    /// <param name="hint">What the message must also say (what is expected, or the bad value).</param>
    [Theory]
    [InlineData("Gateway__Role=bogus", "Gateway:Role", "must be 'all', 'edge' or 'silo' (was 'bogus')")]
    [InlineData("Gateway__Auth__CacheTtl=abc", "Gateway:Auth:CacheTtl", "'abc'")]
    [InlineData("Gateway__Backend__Urls__0", "Gateway:Backend:Urls", "Gateway__Backend__Urls__0=http")]
    [InlineData("Gateway__Backend__Urls__0=ftp://x", "Gateway:Backend:Urls:0", "absolute http(s) URL")]
    [InlineData("Gateway__Backend__Urls__0=", "Gateway:Backend:Urls:0", "absolute http(s) URL")]
    [InlineData("Gateway__Cluster__Provider=redis;Gateway__Cluster__Redis=127.0.0.1:1;Gateway__Cluster__Secret", "Gateway:Cluster:Secret", "required with the redis provider")]
    [InlineData("Gateway__Cluster__Provider=redis;Gateway__Cluster__Redis=serviceName=gateway", "Gateway:Cluster:Redis", "names no Sentinel")]
    [InlineData("Gateway__Cluster__Provider=redis;Gateway__Cluster__Redis=127.0.0.1:26379,serviceName=", "Gateway:Cluster:Redis", "serviceName= must name the primary")]
    [InlineData("Gateway__Cluster__Provider=redis;Gateway__Cluster__Redis=127.0.0.1:26379,servicename=gateway,bogus=1", "Gateway:Cluster:Redis", "not a StackExchange.Redis connection string")]
    [InlineData("Gateway__Cluster__Provider=redis;Gateway__Cluster__Redis=127.0.0.1:99999,serviceName=gateway", "Gateway:Cluster:Redis", "(Parameter 'port')")]
    [InlineData("Gateway__Cluster__ReplicationWait=00:00:09", "Gateway:Cluster:ReplicationWait", "between 00:00:00 (off) and 00:00:05")]
    [InlineData("Gateway__Cluster__Secret=too-short", "Gateway:Cluster:Secret", "at least 16 characters")]
    [InlineData("Gateway__Cluster__Provider=zookeeper", "Gateway:Cluster:Provider", "must be 'localhost' or 'redis' (was 'zookeeper')")]
    [InlineData("Gateway__Cluster__AdvertisedAddress=not-an-ip", "Gateway:Cluster:AdvertisedAddress", "concrete IP address (was 'not-an-ip')")]
    [InlineData("Gateway__Shutdown__DrainDelay=-00:00:01", "Gateway:Shutdown:DrainDelay", "between 00:00:00 and 00:10:00")]
    [InlineData("Gateway__Health__UnreadyAfter=00:00:01", "Gateway:Health:UnreadyAfter", "at least Gateway:Health:CheckInterval")]
    [InlineData("Gateway__Auth__Mode=kerberos", "Gateway:Auth:Mode", "'basic' or 'token' (was 'kerberos')")]
    [InlineData("Gateway__Auth__Mode=token", "Gateway:Token:SigningKey", "needs the token server")]
    [InlineData("Gateway__Auth__AclFile=/nonexistent/acl.yml", "Gateway:Auth:AclFile", "/nonexistent/acl.yml")]
    [InlineData("Gateway__Auth__Anonymous=true", "Gateway:Auth:Anonymous", "needs Gateway:Auth:AclFile")]
    [InlineData("Gateway__Auth__MachineAccountPrefix=robot:", "Gateway:Auth:MachineAccountPrefix", "without ':'")]
    [InlineData("Gateway__Token__SigningKey=/nonexistent/token.key;Gateway__Token__Issuer=gw;Gateway__Token__Service=reg", "Gateway:Token:SigningKey", "/nonexistent/token.key")]
    [InlineData("Gateway__Token__SigningKey=/nonexistent/token.key;Gateway__Token__Service=reg", "Gateway:Token:Issuer", "required")]
    [InlineData("Gateway__Federation__Issuers__0__Issuer=http://issuer.example;Gateway__Federation__Issuers__0__Audience=reg;Gateway__Federation__Issuers__0__AccountTemplate=ci/${claims:repository}", "Gateway:Federation:Issuers:0:Issuer", "absolute https URL")]
    [InlineData("Gateway__Federation__Issuers__0__Issuer=https://issuer.example;Gateway__Federation__Issuers__0__Audience=reg;Gateway__Federation__Issuers__0__AccountTemplate=ci/fixed", "Gateway:Federation:Issuers:0:AccountTemplate", "placeholder")]
    [InlineData("Gateway__Federation__ClockSkew=01:00:00", "Gateway:Federation:ClockSkew", "between")]
    [InlineData("Gateway__Cache__MaxBytes=1000", "Gateway:Cache:MaxBytes", "between 1048576 (1 MiB) and")]
    [InlineData("Gateway__Cache__Ttl=00:00:00", "Gateway:Cache:Ttl", "between 00:00:01 and 1.00:00:00")]
    [InlineData("Kestrel__Limits__Http2__MaxFrameSize=1000", "Kestrel:Limits:Http2:MaxFrameSize", "between 16384 and 16777215 (was '1000')")]
    [InlineData("Gateway__Transfer__BlockSize=1024", "Gateway:Transfer:BlockSize", "between 4096 and 1048576 bytes (was 1024)")]
    [InlineData("Gateway__Transfer__MaxPooledBytes=-1", "Gateway:Transfer:MaxPooledBytes", "between 0 and")]
    [InlineData("Gateway__Transfer__MinimumReadSize=1000", "Gateway:Transfer:MinimumReadSize", "0 (off) or between 4096 and 65536 bytes (was 1000)")]
    [InlineData("Gateway__Transfer__InlineScheduling=sometimes", "Gateway:Transfer:InlineScheduling", "'sometimes'")]
    [InlineData("Kestrel__Limits__MaxRequestBufferSize=100000", "Kestrel:Limits:MaxRequestBufferSize", "at least twice Gateway:Transfer:MinimumReadSize (65536)")]
    [InlineData("Kestrel__Limits__Http2__InitialStreamWindowSize=65535", "Kestrel:Limits:Http2:InitialStreamWindowSize", "at least twice Gateway:Transfer:MinimumReadSize (65536)")]
    public async Task Start_BadSetting_ExitsWithCode2AndMessageNamingTheKey(string environment, string key, string hint)
    {
        using var temp = TempDirectory.Create();
        var options = await ValidOptionsAsync(temp);
        var changes = new Dictionary<string, string?>();
        foreach (var change in environment.Split(';'))
        {
            var equals = change.IndexOf('=', StringComparison.Ordinal);
            changes[equals < 0 ? change : change[..equals]] = equals < 0 ? null : change[(equals + 1)..];
        }

        var (exitCode, stderr, all) = await RunUntilExitAsync(options with { Environment = changes });

        Assert.Equal(ConfigurationErrorExitCode, exitCode);
        var message = ConfigurationErrorOf(stderr);
        Assert.Contains(key, message, StringComparison.Ordinal);
        Assert.Contains(hint, message, StringComparison.Ordinal);
        Assert.DoesNotContain("Gateway ready", all, StringComparison.Ordinal);
        Assert.DoesNotContain(options.Secret, all, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("silo", "Gateway:Cluster:SiloPort")]
    [InlineData("gateway", "Gateway:Cluster:GatewayPort")]
    [InlineData("https", "Kestrel:Endpoints:Https:Url")]
    public async Task Start_PortAlreadyInUse_ExitsWithCode2NamingThePortAndKey(string which, string key)
    {
        using var temp = TempDirectory.Create();
        var pki = TestPki.Create(temp);
        var options = (await ValidOptionsAsync(temp)).WithTls(pki) with { SiloPort = FreePort.Next(), GatewayPort = FreePort.Next(), Port = FreePort.Next() };
        var port = which switch { "silo" => options.SiloPort!.Value, "gateway" => options.GatewayPort!.Value, _ => options.Port!.Value };

        // Another program holds the port the way .NET listens (SO_REUSEADDR, which on Linux includes SO_REUSEPORT).
        using var holder = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        holder.SetSocketOption(System.Net.Sockets.SocketOptionLevel.Socket, System.Net.Sockets.SocketOptionName.ReuseAddress, true);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, port));
        holder.Listen(1);

        var (exitCode, stderr, all) = await RunUntilExitAsync(options);

        Assert.Equal(ConfigurationErrorExitCode, exitCode);
        var message = ConfigurationErrorOf(stderr);
        Assert.Contains(key, message, StringComparison.Ordinal);
        Assert.Contains(port.ToString(CultureInfo.InvariantCulture), message, StringComparison.Ordinal);
        Assert.DoesNotContain("Gateway ready", all, StringComparison.Ordinal);
        pki.Dispose();
    }

    [Fact]
    public async Task Start_HtpasswdFileMissing_ExitsWithCode2NamingKeyAndPath()
    {
        using var temp = TempDirectory.Create();
        var missing = temp.Combine("no-such-htpasswd");
        var options = await ValidOptionsAsync(temp) with { HtpasswdFile = missing };

        var (exitCode, stderr, _) = await RunUntilExitAsync(options);

        Assert.Equal(ConfigurationErrorExitCode, exitCode);
        var message = ConfigurationErrorOf(stderr);
        Assert.Contains("Gateway:Auth:HtpasswdFile", message, StringComparison.Ordinal);
        Assert.Contains($"'{missing}' does not exist", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_HtpasswdFileWithMd5Entry_ExitsWithCode2NamingFileLineUserAndBcryptFix()
    {
        using var temp = TempDirectory.Create();
        var options = await ValidOptionsAsync(temp);
        var md5File = temp.Combine("htpasswd-md5");
        (await CommandRunner.RunAsync("htpasswd", ["-bmc", md5File, "bob", "bobs-password"], TimeSpan.FromSeconds(30))).EnsureSuccess();
        Assert.StartsWith("bob:$apr1$", await File.ReadAllTextAsync(md5File), StringComparison.Ordinal);

        var (exitCode, stderr, _) = await RunUntilExitAsync(options with { HtpasswdFile = md5File });

        Assert.Equal(ConfigurationErrorExitCode, exitCode);
        var message = ConfigurationErrorOf(stderr);
        Assert.Contains("Gateway:Auth:HtpasswdFile", message, StringComparison.Ordinal);
        Assert.Contains($"{md5File}:1:", message, StringComparison.Ordinal);
        Assert.Contains("'bob'", message, StringComparison.Ordinal);
        Assert.Contains($"htpasswd -B {md5File} bob", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_BadProviderWithSecretSet_ExitsWithCode2AndNeverPrintsTheSecret()
    {
        const string secret = "super-secret-value-123";
        using var temp = TempDirectory.Create();
        var options = await ValidOptionsAsync(temp) with { ClusterProvider = "zookeeper", Secret = secret };

        var (exitCode, stderr, all) = await RunUntilExitAsync(options);

        Assert.Equal(ConfigurationErrorExitCode, exitCode);
        Assert.Contains("Gateway:Cluster:Provider", ConfigurationErrorOf(stderr), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, all, StringComparison.Ordinal);
        Assert.DoesNotContain("super-secret", all, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Start_WorkingDirectoryIsNotTheBinFolder_AppsettingsJsonStillApplies()
    {
        using var temp = TempDirectory.Create();
        await using var registry = await RegistryServer.StartAsync(temp);
        var options = await ValidOptionsAsync(temp) with { BackendUrls = [registry.BaseUrl.ToString().TrimEnd('/')] };
        var binFolder = Path.GetDirectoryName(GatewayBuild.HostDllPath)!;
        Assert.True(File.Exists(Path.Combine(binFolder, "appsettings.json")), $"no appsettings.json in {binFolder}");

        await using var node = await GatewayNode.StartAsync(options);
        using var client = node.CreateClient();
        using (var ping = await client.GetAsync("/v2/"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, ping.StatusCode); // serving: a log line or two more
        }

        var ready = await node.WaitForLogAsync(l => l.Contains("Gateway ready", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        var lines = node.Process.Lines;
        output.WriteLine(node.Output);

        Assert.NotEqual(Path.GetFullPath(binFolder).TrimEnd('/'), Path.GetFullPath(node.WorkingDirectory).TrimEnd('/'));
        Assert.False(File.Exists(Path.Combine(node.WorkingDirectory, "appsettings.json")));

        // Logging:Console:FormatterOptions from appsettings.json: a UTC timestamp "yyyy-MM-ddTHH:mm:ss.fffZ " first.
        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.Matches(LogLinePrefix(), line));
        var stamp = DateTime.ParseExact(ready[..24], "yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        Assert.True((DateTime.UtcNow - stamp).Duration() < TimeSpan.FromMinutes(5), $"'{ready}' is not a UTC time (now {DateTime.UtcNow:O})");

        // Logging:LogLevel from appsettings.json: Orleans and the ASP.NET Core lifetime log only warnings and above.
        Assert.DoesNotContain(lines, l => l.Contains("info: Orleans", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("info: Microsoft.Hosting.Lifetime", StringComparison.Ordinal));
    }

    /// <summary>A node that would start: a bcrypt htpasswd file and a registry URL (nobody listens there).</summary>
    private static async Task<GatewayNodeOptions> ValidOptionsAsync(TempDirectory temp)
    {
        var htpasswd = temp.Combine("htpasswd");
        await Htpasswd.CreateAsync(htpasswd, Htpasswd.MinimumCost, ("alice", "alice-password"));
        return new GatewayNodeOptions
        {
            BackendUrls = [string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{FreePort.Next()}")],
            HtpasswdFile = htpasswd,
        };
    }

    /// <summary>Starts the real process and waits (bounded) for it to exit; returns its exit code, stderr and all output.</summary>
    private async Task<(int ExitCode, string StandardError, string Output)> RunUntilExitAsync(GatewayNodeOptions options)
    {
        await using var node = await GatewayNode.StartAsync(options, waitUntilReady: false);
        var exited = await node.Process.WaitForExitAsync(ExitTimeout);
        output.WriteLine($"exit code {node.Process.ExitCode}; output:\n{node.Output}");
        Assert.True(exited, $"the gateway was still running {ExitTimeout.TotalSeconds} s after start:\n{node.Process.OutputTail()}");
        return (node.Process.ExitCode!.Value, node.Process.StandardError, node.Output);
    }

    /// <summary>The "Configuration error: ..." block the process wrote to stderr (fails when there is none).</summary>
    private static string ConfigurationErrorOf(string stderr)
    {
        var start = stderr.IndexOf("Configuration error: ", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no 'Configuration error: ' on stderr:\n{stderr}");
        return stderr[start..];
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z (trce|dbug|info|warn|fail|crit): ")]
    private static partial Regex LogLinePrefix();
}
