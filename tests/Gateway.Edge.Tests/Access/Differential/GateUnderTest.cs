using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Edge.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Edge.Tests.Access.Differential;

/// <summary>
/// The real edge (production wiring, basic mode, alice allowed everything so that whatever the gate accepts is
/// forwarded) on two loopback endpoints, HTTP/1.1 and HTTP/2 with prior knowledge, in front of a
/// <see cref="RawRecordingBackend"/>. Each worker sends from its own loopback address, so the audit events and the
/// forwarded requests of one request are told apart by the client address the edge saw.
/// </summary>
public sealed class GateUnderTest : IAsyncDisposable
{
    private readonly EdgeTestHost _edge;
    private readonly ConnectionTracker _connections;
    private readonly RawRecordingBackend _backend;
    private readonly AuditRecorder _audit;

    private GateUnderTest(EdgeTestHost edge, RawRecordingBackend backend, AuditRecorder audit, ConnectionTracker connections)
    {
        _edge = edge;
        _connections = connections;
        _backend = backend;
        _audit = audit;
        Http1 = edge.Urls[0];
        Http2 = edge.Urls[1];
    }

    public Uri Http1 { get; }

    public Uri Http2 { get; }

    /// <summary>The Host a well-formed request names.</summary>
    public string Authority => Http1.Authority;

    /// <summary>alice's credentials.</summary>
    public static string Authorization => EdgeTestHost.Basic(EdgeTestHost.User, EdgeTestHost.Password).ToString();

    public static async Task<GateUnderTest> StartAsync()
    {
        var backend = new RawRecordingBackend();
        var audit = new AuditRecorder();
        var connections = new ConnectionTracker();
        var edge = await EdgeTestHost.StartAsync(
            backendUrl: _ => backend.BaseAddress.ToString().TrimEnd('/'),
            settings: new Dictionary<string, string?> { ["Gateway:Backend:HealthCheckInterval"] = "00:01:00" },
            configureBuilder: builder =>
            {
                builder.Logging.AddProvider(audit);
                builder.Services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter, FuzzIdFilter>();
                builder.WebHost.ConfigureKestrel(k =>
                {
                    k.Limits.MaxRequestBodySize = null;
                    k.Listen(IPAddress.Loopback, 0, o =>
                    {
                        o.Protocols = HttpProtocols.Http1;
                        o.Use(connections.Track);
                    });
                    k.Listen(IPAddress.Loopback, 0, o =>
                    {
                        o.Protocols = HttpProtocols.Http2;
                        o.Use(connections.Track);
                    });
                });
            });
        return new GateUnderTest(edge, backend, audit, connections);
    }

    /// <summary>
    /// Sends one request from <paramref name="client"/> (a loopback address), tagged with <paramref name="id"/> in an
    /// <c>X-Fuzz-Id</c> header (the later requests of a pipelined series carry <c>{fuzz-id}.N</c>), and returns what the
    /// gate decided. What it forwarded is collected afterwards with <see cref="TakeForwarded"/>: a request whose body
    /// broke off may reach the backend after its answer.
    /// </summary>
    public async Task<GateExchange> SendAsync(HostileRequest request, IPAddress client, long id)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        int status;
        Task ended;
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            socket.NoDelay = true;
            socket.Bind(new IPEndPoint(client, 0));
            ended = _connections.Ended(socket.LocalEndPoint!.ToString()!);
            var target = request.Protocol == WireProtocol.Http2 ? Http2 : Http1;
            await socket.ConnectAsync(IPAddress.Loopback, target.Port);
            status = request.Protocol == WireProtocol.Http2
                ? await H2Wire.SendAsync(socket, Tagged(request.H2!, id), TimeSpan.FromSeconds(5))
                : await SendHttp1Async(socket, request, Tagged(request.Raw!, id), TimeSpan.FromSeconds(5));
        }

        // Once the server is done with the connection, every request on it has been decided (a client may see the
        // connection close before the gate decided a request it had already read).
        try
        {
            await ended.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            // Reported by the pairing: a decision that arrives later lands in no exchange.
        }
        return new GateExchange(id, status, _audit.Take(client.ToString()), System.Diagnostics.Stopwatch.GetElapsedTime(started));
    }

    /// <summary>Every request forwarded so far, by its <c>X-Fuzz-Id</c> (<c>client:</c> and an address without one).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<ForwardedRequest>> TakeForwarded() => _backend.TakeAll();

    private static byte[] Tagged(byte[] raw, long id)
    {
        var placeholder = Encoding.ASCII.GetBytes("{fuzz-id}");
        if (raw.AsSpan().IndexOf(placeholder) >= 0)
        {
            raw = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(raw).Replace("{fuzz-id}", id.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        }

        var endOfLine = Array.IndexOf(raw, (byte)'\n');
        if (endOfLine < 0)
        {
            return raw;
        }

        var tag = Encoding.ASCII.GetBytes($"{RawRecordingBackend.IdHeader}: {id}\r\n");
        return [.. raw.AsSpan(0, endOfLine + 1), .. tag, .. raw.AsSpan(endOfLine + 1)];
    }

    private static H2Request Tagged(H2Request request, long id) =>
        request with { Headers = [.. request.Headers, (RawRecordingBackend.IdHeader.ToLowerInvariant(), id.ToString(System.Globalization.CultureInfo.InvariantCulture))] };

    public async ValueTask DisposeAsync()
    {
        await _edge.DisposeAsync();
        await _backend.DisposeAsync();
    }

    private static async Task<int> SendHttp1Async(Socket socket, HostileRequest request, byte[] bytes, TimeSpan timeout)
    {
        using var stop = new CancellationTokenSource(timeout);
        try
        {
            await socket.SendAsync(bytes, SocketFlags.None, stop.Token);
            if (request.HalfClose)
            {
                socket.Shutdown(SocketShutdown.Send);
            }

            var reader = new ResponseReader(socket, stop.Token);
            var first = await reader.ReadStatusAsync(request);
            if (request.Pipelined)
            {
                while (await reader.ReadStatusAsync(request) >= 0)
                {
                }
            }

            return first;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
        {
            return -1;
        }
    }

    /// <summary>Reads HTTP/1.x responses: the status line, the headers, the body by its framing.</summary>
    private sealed class ResponseReader(Socket socket, CancellationToken stop)
    {
        private readonly byte[] _buffer = new byte[16384];
        private int _start;
        private int _end;

        public async Task<int> ReadStatusAsync(HostileRequest request)
        {
            while (true)
            {
                var statusLine = await ReadLineAsync();
                if (statusLine is null)
                {
                    return -1;
                }

                var parts = statusLine.Split(' ');
                var status = parts.Length > 1 && int.TryParse(parts[1], out var code) ? code : -1;
                long length = -1;
                var chunked = false;
                string? line;
                while (!string.IsNullOrEmpty(line = await ReadLineAsync()))
                {
                    if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                    {
                        length = long.Parse(line[15..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                    }
                    else if (line.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase) && line.Contains("chunked", StringComparison.OrdinalIgnoreCase))
                    {
                        chunked = true;
                    }
                }

                if (status is >= 100 and < 200)
                {
                    continue;
                }

                var head = Encoding.Latin1.GetString(request.Raw!, 0, Math.Min(5, request.Raw!.Length)).StartsWith("HEAD ", StringComparison.Ordinal);
                if (!head && status is not (204 or 304))
                {
                    if (chunked)
                    {
                        string? size;
                        while ((size = await ReadLineAsync()) is not null && Convert.ToInt64(size.Split(';')[0].Trim(), 16) is var n && n > 0)
                        {
                            await SkipAsync(n + 2);
                        }

                        await ReadLineAsync();
                    }
                    else if (length > 0)
                    {
                        await SkipAsync(length);
                    }
                }

                return status;
            }
        }

        private async Task SkipAsync(long count)
        {
            while (count > 0)
            {
                if (_start == _end && !await FillAsync())
                {
                    return;
                }

                var n = (int)Math.Min(count, _end - _start);
                _start += n;
                count -= n;
            }
        }

        private async Task<string?> ReadLineAsync()
        {
            var line = new StringBuilder();
            while (true)
            {
                if (_start == _end && !await FillAsync())
                {
                    return line.Length > 0 ? line.ToString() : null;
                }

                var b = _buffer[_start++];
                if (b == '\n')
                {
                    return line.ToString().TrimEnd('\r');
                }

                line.Append((char)b);
            }
        }

        private async Task<bool> FillAsync()
        {
            _start = 0;
            _end = await socket.ReceiveAsync(_buffer, SocketFlags.None, stop);
            return _end > 0;
        }
    }
}

/// <summary>Puts each request's <c>X-Fuzz-Id</c> where the audit recorder finds it (<see cref="AuditRecorder.RequestTag"/>).</summary>
internal sealed class FuzzIdFilter : Microsoft.AspNetCore.Hosting.IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, proceed) =>
        {
            AuditRecorder.RequestTag.Value = context.Request.Headers[RawRecordingBackend.IdHeader].ToString() is { Length: > 0 } id ? id : null;
            await proceed(context);
        });
        next(app);
    };
}

/// <summary>Tells when the server is done with a connection (every request on it finished), by the client's endpoint.</summary>
internal sealed class ConnectionTracker
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource> _ended = new();

    public Task Ended(string client) => Completion(client).Task;

    public Microsoft.AspNetCore.Connections.ConnectionDelegate Track(Microsoft.AspNetCore.Connections.ConnectionDelegate next) => async connection =>
    {
        var client = connection.RemoteEndPoint?.ToString() ?? string.Empty;
        try
        {
            await next(connection);
        }
        finally
        {
            Completion(client).TrySetResult();
            _ended.TryRemove(client, out _);
        }
    };

    private TaskCompletionSource Completion(string client) =>
        _ended.GetOrAdd(client, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}

/// <summary>What the gate did with one request: the answer's status (-1: none), its audit events, how long it took.</summary>
public sealed record GateExchange(long Id, int Status, IReadOnlyList<AuditEvent> Audits, TimeSpan Elapsed);
