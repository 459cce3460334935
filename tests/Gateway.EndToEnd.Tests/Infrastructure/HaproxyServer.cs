using System.Globalization;

namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Debian's HAProxy (2.6) with the repository's own <c>deploy/haproxy/local.cfg</c> (what deploy/local-cluster.sh
/// runs): TLS on 127.0.0.1 with the given certificate, every request balanced round-robin over the listed servers,
/// each health-checked on <c>/healthz/ready</c>. Master-worker mode: <see cref="SetServersAsync"/> rewrites the
/// server list and reloads gracefully (SIGUSR2), as the script does. The statistics page (CSV) tells each server's
/// state and how many requests it got. Disposing it stops it.
/// </summary>
public sealed class HaproxyServer : IAsyncDisposable
{
    /// <summary>SIGUSR2: the master reloads its configuration and starts a new worker; the old one finishes its work.</summary>
    private const Signal SigUsr2 = (Signal)12;

    private readonly string _serversFile;
    private readonly HttpClient _stats;

    private HaproxyServer(int port, int statsPort, string serversFile, ManagedProcess process, IReadOnlyList<HaproxyBackendServer> servers)
    {
        Port = port;
        StatsPort = statsPort;
        _serversFile = serversFile;
        Process = process;
        Servers = servers;
        _stats = TestHttp.CreateClient(new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{statsPort}/")), timeout: TimeSpan.FromSeconds(5));
    }

    /// <summary>deploy/haproxy/local.cfg in this repository.</summary>
    public static string ConfigPath => Path.Combine(GatewayBuild.RepositoryRoot, "deploy", "haproxy", "local.cfg");

    /// <summary>The TLS port on 127.0.0.1 clients connect to.</summary>
    public int Port { get; }

    public int StatsPort { get; }

    /// <summary>"127.0.0.1:port", as used in image references.</summary>
    public string HostPort => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    /// <summary>https://127.0.0.1:port/</summary>
    public Uri BaseUri => new(string.Create(CultureInfo.InvariantCulture, $"https://127.0.0.1:{Port}/"));

    /// <summary>The master process (its log holds the workers' request log: one line per request, with the server).</summary>
    public ManagedProcess Process { get; }

    /// <summary>The servers of backend "edges" as last configured.</summary>
    public IReadOnlyList<HaproxyBackendServer> Servers { get; private set; }

    /// <summary>
    /// Starts HAProxy with <paramref name="servers"/> in backend "edges". The certificate chain and key (PEM) are
    /// joined into the one file HAProxy reads. Waits until the statistics page answers.
    /// </summary>
    public static async Task<HaproxyServer> StartAsync(
        TempDirectory temp,
        string certificateChainPath,
        string keyPath,
        IEnumerable<HaproxyBackendServer> servers,
        TimeSpan? timeout = null)
    {
        var port = FreePort.Next();
        var statsPort = FreePort.Next();
        var dir = temp.CreateSubdirectory($"haproxy-{port}");
        var pem = Path.Combine(dir, "lb.pem");
        var chain = (await File.ReadAllTextAsync(certificateChainPath).ConfigureAwait(false)).TrimEnd() + "\n";
        var key = (await File.ReadAllTextAsync(keyPath).ConfigureAwait(false)).TrimEnd() + "\n";
        await File.WriteAllTextAsync(pem, chain + key).ConfigureAwait(false);
        var serversFile = Path.Combine(dir, "edges.cfg");
        var list = servers.ToList();
        await WriteServersAsync(serversFile, list).ConfigureAwait(false);

        var process = ManagedProcess.Start(
            "haproxy",
            ["-W", "-db", "-f", ConfigPath, "-f", serversFile],
            new Dictionary<string, string?>
            {
                ["GW_LB_BIND"] = string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{port}"),
                ["GW_LB_CERT"] = pem,
                ["GW_LB_STATS_BIND"] = string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{statsPort}"),
            },
            dir,
            name: "haproxy");
        var server = new HaproxyServer(port, statsPort, serversFile, process, list);
        try
        {
            await Poll.UntilAsync(
                async ct => (await server._stats.GetAsync(new Uri(";csv", UriKind.Relative), ct).ConfigureAwait(false)).IsSuccessStatusCode,
                timeout ?? TimeSpan.FromSeconds(15),
                $"HAProxy's statistics on port {statsPort}",
                process).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Rewrites backend "edges" and reloads gracefully (SIGUSR2 to the master); returns once the new worker runs.</summary>
    public async Task SetServersAsync(IEnumerable<HaproxyBackendServer> servers, TimeSpan? timeout = null)
    {
        var list = servers.ToList();
        var loadsBefore = Process.Lines.Count(IsLoadingSuccess);
        await WriteServersAsync(_serversFile, list).ConfigureAwait(false);
        await Process.SignalAsync(SigUsr2).ConfigureAwait(false);
        await Poll.UntilAsync(
            _ => Task.FromResult(Process.Lines.Count(IsLoadingSuccess) > loadsBefore),
            timeout ?? TimeSpan.FromSeconds(15),
            "HAProxy to reload",
            Process).ConfigureAwait(false);
        Servers = list;
    }

    /// <summary>Every row of the statistics CSV (frontends, backends, servers).</summary>
    public async Task<IReadOnlyList<HaproxyStats>> GetStatsAsync(CancellationToken cancellationToken = default)
    {
        var csv = await _stats.GetStringAsync(new Uri(";csv", UriKind.Relative), cancellationToken).ConfigureAwait(false);
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].TrimStart('#', ' ').Split(',');
        int Column(string name) => Array.IndexOf(header, name) is var i and >= 0 ? i : throw new InvalidOperationException($"no column {name} in HAProxy's CSV");
        var (px, sv, status, scur, stot) = (Column("pxname"), Column("svname"), Column("status"), Column("scur"), Column("stot"));
        var responses = new[] { "hrsp_1xx", "hrsp_2xx", "hrsp_3xx", "hrsp_4xx", "hrsp_5xx", "hrsp_other" }.Select(Column).ToArray();
        static long Number(string text) => long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;
        return
        [
            .. lines.Skip(1).Select(l => l.Split(',')).Where(f => f.Length > stot).Select(f => new HaproxyStats(
                f[px], f[sv], f[status], Number(f[scur]), Number(f[stot]), responses.Sum(r => Number(f[r])))),
        ];
    }

    /// <summary>The rows of backend "edges"' servers, by server name.</summary>
    public async Task<IReadOnlyDictionary<string, HaproxyStats>> GetServerStatsAsync(CancellationToken cancellationToken = default) =>
        (await GetStatsAsync(cancellationToken).ConfigureAwait(false))
            .Where(s => s.Proxy == "edges" && s.Server is not ("BACKEND" or "FRONTEND"))
            .ToDictionary(s => s.Server);

    /// <summary>Waits until server <paramref name="name"/> of backend "edges" has a status starting with <paramref name="status"/> (UP, DOWN, MAINT...).</summary>
    public Task WaitForServerStatusAsync(string name, string status, TimeSpan? timeout = null) =>
        Poll.UntilAsync(
            async ct => (await GetServerStatsAsync(ct).ConfigureAwait(false)).TryGetValue(name, out var s) && s.Status.StartsWith(status, StringComparison.Ordinal),
            timeout ?? TimeSpan.FromSeconds(20),
            $"HAProxy to see {name} {status}",
            Process,
            TimeSpan.FromMilliseconds(100));

    public async ValueTask DisposeAsync()
    {
        _stats.Dispose();
        await Process.DisposeAsync().ConfigureAwait(false);
    }

    public override string ToString() => $"haproxy {BaseUri} (pid {Process.Pid})";

    private static bool IsLoadingSuccess(string line) => line.Contains("Loading success", StringComparison.Ordinal);

    private static async Task WriteServersAsync(string path, IReadOnlyList<HaproxyBackendServer> servers)
    {
        var text = "backend edges\n" + string.Concat(servers.Select(s => string.Create(CultureInfo.InvariantCulture, $"    server {s.Name} 127.0.0.1:{s.Port}\n")));
        var temp = path + ".new";
        await File.WriteAllTextAsync(temp, text).ConfigureAwait(false);
        File.Move(temp, path, overwrite: true);
    }
}

/// <summary>One server line of HAProxy's backend "edges": <c>server NAME 127.0.0.1:PORT</c> (checks from the defaults).</summary>
public sealed record HaproxyBackendServer(string Name, int Port);

/// <summary>One row of HAProxy's statistics.</summary>
/// <param name="Proxy">pxname: frontend or backend.</param>
/// <param name="Server">svname: a server's name, or FRONTEND / BACKEND.</param>
/// <param name="Status">UP, DOWN, "UP 1/2", MAINT, NOLB…</param>
/// <param name="CurrentSessions">scur: requests (streams) in progress on it.</param>
/// <param name="TotalSessions">stot: requests sent to it so far.</param>
/// <param name="Responses">hrsp_*: HTTP responses it answered so far.</param>
public sealed record HaproxyStats(string Proxy, string Server, string Status, long CurrentSessions, long TotalSessions, long Responses);
