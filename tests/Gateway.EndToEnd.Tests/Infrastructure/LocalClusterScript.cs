using System.Globalization;

namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>
/// deploy/local-cluster.sh run as a user runs it, but in a state folder of the test's own and on free ports (every
/// port variable the script reads points into one range of free consecutive ports, the default ports are never
/// used), with the gateway this repository built (<c>GATEWAY_BIN</c>, no publish) and without a Docker engine of
/// its own (<c>GATEWAY_DOCKER=none</c>: tests bring a <see cref="DockerEngine"/>). Disposing runs <c>down</c> when
/// anything the script started may still run.
/// </summary>
public sealed class LocalClusterScript : IAsyncDisposable
{
    /// <summary>The ports one cluster with one edge takes from its range (the layout in <see cref="Create"/>).</summary>
    private const int PortCount = 16;

    private readonly Dictionary<string, string?> _environment;
    private bool _mayRun;

    private LocalClusterScript(string state, int first)
    {
        State = state;
        Port = first;
        LdapPort = first + 14;
        _environment = new Dictionary<string, string?>
        {
            ["GATEWAY_LOCAL_DIR"] = state,
            ["GATEWAY_BIN"] = Path.GetDirectoryName(GatewayBuild.EnsureBuilt()),
            ["GATEWAY_DOCKER"] = "none",
            ["GATEWAY_PORT"] = At(0),
            ["HAPROXY_STATS_PORT"] = At(1),
            ["EDGE_BASE_PORT"] = At(1),         // edge N on +N: edge-1 on first+2
            ["SILO_BASE_PORT"] = At(2),         // silos' health on first+3, first+4
            ["ORLEANS_SILO_PORT"] = At(5),      // first+5, first+6
            ["ORLEANS_GATEWAY_PORT"] = At(7),   // first+7, first+8
            ["REGISTRY_PORT"] = At(9),          // first+9, first+10
            ["REDIS_PORT"] = At(11),            // (--ha: the replica on first+12)
            ["SENTINEL_PORT"] = At(13),         // unused without --ha; never a default port
            ["LDAP_PORT"] = At(14),
        };

        string At(int offset) => (first + offset).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The state folder (GATEWAY_LOCAL_DIR).</summary>
    public string State { get; }

    /// <summary>HAProxy's HTTPS port: clients use <see cref="HostPort"/>.</summary>
    public int Port { get; }

    /// <summary>slapd's port with <c>up --ldap</c>.</summary>
    public int LdapPort { get; }

    /// <summary><c>127.0.0.1:PORT</c>, the registry name clients use.</summary>
    public string HostPort => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    /// <summary>A script driver for a new state folder under <paramref name="temp"/> and a free port range.</summary>
    public static LocalClusterScript Create(TempDirectory temp) =>
        new(temp.CreateSubdirectory("local-cluster"), FreePort.NextRange(PortCount));

    /// <summary>Runs <c>deploy/local-cluster.sh ARGS</c>, bounded by <paramref name="timeout"/>; the exit code is returned, not thrown.</summary>
    public async Task<CommandResult> RunAsync(TimeSpan timeout, params string[] arguments)
    {
        _mayRun |= arguments.Length > 0 && arguments[0] is "up" or "add-edge";
        var result = await CommandRunner.RunAsync(
            "bash",
            [Path.Combine(GatewayBuild.RepositoryRoot, "deploy", "local-cluster.sh"), .. arguments],
            timeout,
            _environment,
            workingDirectory: GatewayBuild.RepositoryRoot).ConfigureAwait(false);
        if (arguments.Length > 0 && arguments[0] == "down" && result.Succeeded)
        {
            _mayRun = false;
        }

        return result;
    }

    /// <summary>What <c>env</c> exports (<c>export NAME=VALUE</c> lines), by name.</summary>
    public async Task<IReadOnlyDictionary<string, string>> ExportsAsync()
    {
        var result = (await RunAsync(TimeSpan.FromSeconds(30), "env").ConfigureAwait(false)).EnsureSuccess();
        return result.StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith("export ", StringComparison.Ordinal) && l.Contains('=', StringComparison.Ordinal))
            .Select(l => l["export ".Length..].Split('=', 2))
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        if (_mayRun)
        {
            await RunAsync(TimeSpan.FromMinutes(3), "down").ConfigureAwait(false);
        }
    }
}
