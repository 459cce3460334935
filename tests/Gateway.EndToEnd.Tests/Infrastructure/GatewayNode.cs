using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>
/// One gateway process (<c>dotnet Gateway.Host.dll</c>) configured only by environment variables, with a temp
/// folder as working directory. Ready when GET /healthz/ready answers 200. Disposing it stops it (SIGTERM,
/// bounded wait, SIGKILL) and deletes its folder.
/// </summary>
public sealed class GatewayNode : IAsyncDisposable
{
    private readonly TempDirectory _workingDirectory;

    private GatewayNode(GatewayNodeOptions options, IReadOnlyDictionary<string, string?> environment, TempDirectory workingDirectory, ManagedProcess process)
    {
        Options = options;
        Environment = environment;
        _workingDirectory = workingDirectory;
        Process = process;
        var scheme = options.UseHttps ? "https" : "http";
        BaseUri = new Uri(string.Create(CultureInfo.InvariantCulture, $"{scheme}://127.0.0.1:{options.Port}/"));
        MetricsUri = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{options.MetricsPort}/"));
    }

    /// <summary>The options with every port resolved.</summary>
    public GatewayNodeOptions Options { get; }

    /// <summary>The variables this node was started with (besides the inherited environment).</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; }

    /// <summary>http(s)://127.0.0.1:port/</summary>
    public Uri BaseUri { get; }

    /// <summary>http://127.0.0.1:metricsPort/, where the node serves /metrics (not on <see cref="BaseUri"/>).</summary>
    public Uri MetricsUri { get; }

    /// <summary>"127.0.0.1:port", as used in image references.</summary>
    public string HostPort => BaseUri.Authority;

    public int Port => Options.Port!.Value;

    public int Pid => Process.Pid;

    public ManagedProcess Process { get; }

    public string Output => Process.Output;

    public string WorkingDirectory => _workingDirectory.Path;

    /// <summary>Starts a node; unless <paramref name="waitUntilReady"/> is false, waits for /healthz/ready = 200.</summary>
    public static async Task<GatewayNode> StartAsync(GatewayNodeOptions options, bool waitUntilReady = true)
    {
        var dll = GatewayBuild.EnsureBuilt();
        var resolved = options with
        {
            Port = options.Port ?? FreePort.Next(),
            SiloPort = options.SiloPort ?? FreePort.Next(),
            GatewayPort = options.GatewayPort ?? FreePort.Next(),
            MetricsPort = options.MetricsPort ?? FreePort.Next(),
        };
        var workingDirectory = TempDirectory.Create();

        // The runtime keeps its debugger pipes and diagnostics socket (clr-debug-pipe-*, dotnet-diagnostic-*) in TMPDIR
        // and removes them only on a clean exit: a node killed with SIGKILL, as crash tests do, would leave them in /tmp.
        // ASP.NET's data protection writes its key ring to ~/.aspnet/DataProtection-Keys. The node's own folder takes
        // both, and whatever else the node puts in its temp or home folder.
        var environment = new Dictionary<string, string?>(EnvironmentFor(resolved));
        environment.TryAdd("TMPDIR", workingDirectory.CreateSubdirectory("tmp"));
        environment.TryAdd("HOME", workingDirectory.CreateSubdirectory("home"));
        ManagedProcess process;
        try
        {
            process = ManagedProcess.Start("dotnet", [dll], environment, workingDirectory.Path, name: $"gateway:{resolved.Port}");
        }
        catch
        {
            workingDirectory.Dispose();
            throw;
        }

        process.GracefulStopTimeout = resolved.StopTimeout;
        var node = new GatewayNode(resolved, environment, workingDirectory, process);
        if (waitUntilReady)
        {
            try
            {
                await node.WaitUntilReadyAsync().ConfigureAwait(false);
            }
            catch
            {
                await node.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        return node;
    }

    /// <summary>Polls GET /healthz/ready until 200 (any certificate accepted); fails fast if the process exits.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan? timeout = null)
    {
        using var http = TestHttp.CreateClient(timeout: TimeSpan.FromSeconds(5));
        var probe = new Uri(BaseUri, "healthz/ready");
        await Poll.UntilAsync(
            async ct =>
            {
                using var response = await http.GetAsync(probe, ct).ConfigureAwait(false);
                return response.StatusCode == HttpStatusCode.OK;
            },
            timeout ?? Options.ReadyTimeout,
            $"{probe} to answer 200",
            Process,
            TimeSpan.FromMilliseconds(200)).ConfigureAwait(false);
    }

    /// <summary>Waits for a log line (e.g. one containing "Gateway ready"); see <see cref="ManagedProcess.WaitForLineAsync"/>.</summary>
    public Task<string> WaitForLogAsync(Func<string, bool> predicate, TimeSpan timeout, int fromLine = 0) =>
        Process.WaitForLineAsync(predicate, timeout, fromLine);

    /// <summary>An HttpClient with BaseAddress = BaseUri, trusting only <paramref name="trustedRoot"/> when given, else any certificate.</summary>
    public HttpClient CreateClient(X509Certificate2? trustedRoot = null) => TestHttp.CreateClient(BaseUri, trustedRoot);

    /// <summary>An HttpClient with BaseAddress = <see cref="MetricsUri"/> (the scrape: <c>GetAsync("metrics")</c>).</summary>
    public HttpClient CreateMetricsClient() => TestHttp.CreateClient(MetricsUri);

    /// <summary>SIGKILL (the whole process group); a crash, no graceful shutdown.</summary>
    public void KillHard() => Process.KillHard();

    /// <summary>SIGTERM, wait up to <paramref name="timeout"/> (default Options.StopTimeout), then SIGKILL. Returns the exit code.</summary>
    public Task<int> StopAsync(TimeSpan? timeout = null) => Process.StopAsync(timeout ?? Options.StopTimeout);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Process.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _workingDirectory.Dispose();
        }
    }

    public override string ToString() => $"gateway {BaseUri} (pid {Pid})";

    /// <summary>The environment variables for <paramref name="o"/> (ports must be resolved).</summary>
    public static IReadOnlyDictionary<string, string?> EnvironmentFor(GatewayNodeOptions o)
    {
        static string Span(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);
        static string Int(int? value) => value!.Value.ToString(CultureInfo.InvariantCulture);

        var env = new Dictionary<string, string?>
        {
            ["Gateway__Role"] = o.Role,
            ["Gateway__Cluster__Provider"] = o.ClusterProvider,
            ["Gateway__Cluster__ClusterId"] = o.ClusterId,
            ["Gateway__Cluster__Secret"] = o.Secret,
            ["Gateway__Cluster__SiloPort"] = Int(o.SiloPort),
            ["Gateway__Cluster__GatewayPort"] = Int(o.GatewayPort),
            ["Gateway__Cluster__AdvertisedAddress"] = o.AdvertisedAddress,
            ["Gateway__Shutdown__DrainDelay"] = Span(o.DrainDelay),
            ["Logging__LogLevel__Default"] = o.LogLevelDefault,

            // One line per log entry (category and message together) with the simple console formatter.
            ["Logging__Console__FormatterOptions__SingleLine"] = "true",
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        };

        for (var i = 0; i < o.BackendUrls.Count; i++)
        {
            env[$"Gateway__Backend__Urls__{i}"] = o.BackendUrls[i];
        }

        for (var i = 0; i < o.KnownProxies.Count; i++)
        {
            env[$"Gateway__Network__KnownProxies__{i}"] = o.KnownProxies[i];
        }

        SetIf(env, "Gateway__Auth__HtpasswdFile", o.HtpasswdFile);
        SetIf(env, "Gateway__Auth__Realm", o.Realm);
        SetIf(env, "Gateway__Auth__CacheTtl", o.AuthCacheTtl is { } ttl ? Span(ttl) : null);
        SetIf(env, "Gateway__Cluster__Redis", o.Redis);
        SetIf(env, "Gateway__Shutdown__Timeout", o.ShutdownTimeout is { } timeout ? Span(timeout) : null);
        SetIf(env, "Logging__LogLevel__Gateway", o.LogLevelGateway);

        if (o.UseHttps)
        {
            env["Kestrel__Endpoints__Https__Url"] = $"https://127.0.0.1:{Int(o.Port)}";
            env["Kestrel__Endpoints__Https__Certificate__Path"] = o.CertificatePath;
            env["Kestrel__Endpoints__Https__Certificate__KeyPath"] = o.CertificateKeyPath;
        }
        else
        {
            env["Kestrel__Endpoints__Http__Url"] = $"http://127.0.0.1:{Int(o.Port)}";
        }

        if (o.MetricsPort is { } metrics)
        {
            env["Gateway__Telemetry__MetricsPort"] = Int(metrics);
            env["Kestrel__Endpoints__Metrics__Url"] = $"http://127.0.0.1:{Int(metrics)}";
        }

        foreach (var (name, value) in o.Environment)
        {
            env[name] = value;
        }

        return env;
    }

    private static void SetIf(Dictionary<string, string?> env, string name, string? value)
    {
        if (value is not null)
        {
            env[name] = value;
        }
    }
}
