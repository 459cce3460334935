using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>A private redis-server on 127.0.0.1 (no persistence), stopped on dispose.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private RedisServer(int port, ManagedProcess process)
    {
        Port = port;
        Process = process;
    }

    public int Port { get; }

    /// <summary>StackExchange.Redis / Orleans connection string: "127.0.0.1:port".</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    public ManagedProcess Process { get; }

    /// <param name="temp">Where its folder goes.</param>
    /// <param name="timeout">Bound on waiting for PING.</param>
    /// <param name="arguments">More redis-server arguments (e.g. <c>--replicaof 127.0.0.1 PORT</c>); later ones win.</param>
    public static async Task<RedisServer> StartAsync(TempDirectory temp, TimeSpan? timeout = null, IReadOnlyList<string>? arguments = null)
    {
        var port = FreePort.Next();
        var dir = temp.CreateSubdirectory($"redis-{port}");
        var process = ManagedProcess.Start(
            "redis-server",
            ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", dir, "--daemonize", "no", "--protected-mode", "yes", .. arguments ?? []],
            workingDirectory: dir,
            name: "redis-server");
        return await AwaitPingAsync(port, process, timeout).ConfigureAwait(false);
    }

    /// <summary>Takes charge of a started server (or Sentinel) process and waits until it answers PING on <paramref name="port"/>.</summary>
    internal static async Task<RedisServer> AwaitPingAsync(int port, ManagedProcess process, TimeSpan? timeout = null)
    {
        var server = new RedisServer(port, process);
        try
        {
            await Poll.UntilAsync(server.PingAsync, timeout ?? TimeSpan.FromSeconds(30), $"redis on port {port} to answer PING", process)
                .ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>True when the server answers PING with PONG (raw RESP over TCP).</summary>
    public async Task<bool> PingAsync(CancellationToken cancellationToken = default)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", Port, cancellationToken).ConfigureAwait(false);
        var stream = client.GetStream();
        await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        var buffer = new byte[64];
        var read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
    }

    /// <summary>Runs <c>redis-cli -h 127.0.0.1 -p port ARGS</c> (e.g. "ping", "keys", "*").</summary>
    public Task<CommandResult> RunCliAsync(params string[] args) =>
        CommandRunner.RunAsync(
            "redis-cli",
            ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), .. args],
            TimeSpan.FromSeconds(30));

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
