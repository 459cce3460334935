using System.Globalization;

namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Redis with automatic failover on 127.0.0.1: a primary, a replica and three Sentinels (quorum 2) watching them under
/// <see cref="ServiceName"/>, each in its own folder of the test's temporary directory. The data servers write an
/// append-only file every second, as the deployments do. Disposing stops everything.
/// </summary>
public sealed class RedisSentinelSet : IAsyncDisposable
{
    /// <summary>The name the Sentinels monitor the primary under.</summary>
    public const string ServiceName = "gateway";

    private readonly List<RedisServer> _servers = [];
    private readonly List<RedisServer> _sentinels = [];

    private RedisSentinelSet()
    {
    }

    /// <summary>The data servers: the first primary first, then the replica.</summary>
    public IReadOnlyList<RedisServer> Servers => _servers;

    public IReadOnlyList<RedisServer> Sentinels => _sentinels;

    /// <summary>The gateway's <c>Gateway:Cluster:Redis</c>: the Sentinels and the service name.</summary>
    public string ConnectionString => string.Join(',', _sentinels.Select(s => s.ConnectionString)) + ",serviceName=" + ServiceName;

    /// <param name="temp">Where the servers' folders go.</param>
    /// <param name="downAfter">How long a primary must not answer before the Sentinels fail over (their <c>down-after-milliseconds</c>).</param>
    public static async Task<RedisSentinelSet> StartAsync(TempDirectory temp, TimeSpan downAfter)
    {
        var set = new RedisSentinelSet();
        try
        {
            string[] durable = ["--appendonly", "yes", "--appendfsync", "everysec"];
            var primary = await RedisServer.StartAsync(temp, arguments: durable).ConfigureAwait(false);
            set._servers.Add(primary);
            set._servers.Add(await RedisServer.StartAsync(temp, arguments: [.. durable, "--replicaof", "127.0.0.1", Port(primary)]).ConfigureAwait(false));
            await Poll.UntilAsync(
                async _ => (await set._servers[1].RunCliAsync("info", "replication").ConfigureAwait(false)).StandardOutput.Contains("master_link_status:up", StringComparison.Ordinal),
                TimeSpan.FromSeconds(30),
                "the replica to sync with the primary").ConfigureAwait(false);

            for (var i = 0; i < 3; i++)
            {
                set._sentinels.Add(await StartSentinelAsync(temp, Port(primary), downAfter).ConfigureAwait(false));
            }

            // Ready when every Sentinel knows the replica and the other Sentinels (found through the primary's hello channel).
            foreach (var sentinel in set._sentinels)
            {
                await Poll.UntilAsync(
                    async _ =>
                    {
                        var info = (await sentinel.RunCliAsync("sentinel", "master", ServiceName).ConfigureAwait(false)).StandardOutput;
                        return Field(info, "num-slaves") >= 1 && Field(info, "num-other-sentinels") >= 2;
                    },
                    TimeSpan.FromSeconds(30),
                    $"sentinel {sentinel.Port} to see the replica and the other sentinels",
                    sentinel.Process).ConfigureAwait(false);
            }

            return set;
        }
        catch
        {
            await set.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The port of the primary the Sentinels name now.</summary>
    public async Task<int> PrimaryPortAsync()
    {
        var answer = await _sentinels[0].RunCliAsync("sentinel", "get-master-addr-by-name", ServiceName).ConfigureAwait(false);
        var lines = answer.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return int.Parse(lines[1], CultureInfo.InvariantCulture);
    }

    /// <summary>The data server the Sentinels name as primary now.</summary>
    public async Task<RedisServer> PrimaryAsync()
    {
        var port = await PrimaryPortAsync().ConfigureAwait(false);
        return _servers.Single(s => s.Port == port);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _sentinels.Concat(_servers))
        {
            await process.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task<RedisServer> StartSentinelAsync(TempDirectory temp, string primaryPort, TimeSpan downAfter)
    {
        // A Sentinel rewrites its configuration file (what it learns about replicas and peers), so each has its own.
        var port = FreePort.Next();
        var dir = temp.CreateSubdirectory($"sentinel-{port}");
        var config = Path.Combine(dir, "sentinel.conf");
        await File.WriteAllTextAsync(config, string.Join('\n',
            $"port {port}",
            "bind 127.0.0.1",
            "protected-mode no",
            $"dir {dir}",
            $"sentinel monitor {ServiceName} 127.0.0.1 {primaryPort} 2",
            $"sentinel down-after-milliseconds {ServiceName} {(long)downAfter.TotalMilliseconds}",
            $"sentinel failover-timeout {ServiceName} 10000",
            $"sentinel parallel-syncs {ServiceName} 1",
            "")).ConfigureAwait(false);
        var process = ManagedProcess.Start("redis-sentinel", [config], workingDirectory: dir, name: "redis-sentinel");
        return await RedisServer.AwaitPingAsync(port, process).ConfigureAwait(false);
    }

    private static string Port(RedisServer server) => server.Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>A number from <c>SENTINEL MASTER</c>'s answer (field and value on alternating lines).</summary>
    private static int Field(string answer, string name)
    {
        var lines = answer.Split('\n', StringSplitOptions.TrimEntries);
        var at = Array.IndexOf(lines, name);
        return at >= 0 && at + 1 < lines.Length && int.TryParse(lines[at + 1], CultureInfo.InvariantCulture, out var value) ? value : -1;
    }
}
