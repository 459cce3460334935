using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Edge.Tests.Access.Differential;

/// <summary>
/// A stand-in registry that keeps the exact bytes of every request the edge forwards (head and body, as framed on the
/// wire by the proxy), keyed by the fuzzer's <c>X-Fuzz-Id</c> header (or, without one, the <c>X-Real-IP</c> the edge
/// set), and answers each with an empty 200. YARP's health
/// probes (no <c>X-Forwarded-Host</c>) are answered and not kept. A request whose body breaks off is kept as far as
/// it came: the registry would have acted on its head.
/// </summary>
public sealed class RawRecordingBackend : IAsyncDisposable
{
    private static readonly byte[] Answer = Encoding.ASCII.GetBytes(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nDocker-Distribution-Api-Version: registry/2.0\r\nContent-Length: 0\r\n\r\n");

    private static readonly byte[] Continue = Encoding.ASCII.GetBytes("HTTP/1.1 100 Continue\r\n\r\n");

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<ForwardedRequest>> _byClient = new();
    private readonly Task _accepting;

    public RawRecordingBackend()
    {
        _listener.Start(512);
        BaseAddress = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
        _accepting = AcceptAsync();
    }

    public Uri BaseAddress { get; }

    /// <summary>The header the fuzzer tags each request with.</summary>
    public const string IdHeader = "X-Fuzz-Id";

    /// <summary>Every request kept so far, by fuzz id (or <c>client:</c> and an address); taking them removes them.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<ForwardedRequest>> TakeAll()
    {
        var all = new Dictionary<string, IReadOnlyList<ForwardedRequest>>(StringComparer.Ordinal);
        foreach (var key in _byClient.Keys)
        {
            var taken = Take(key);
            if (taken.Count > 0)
            {
                all[key] = taken;
            }
        }

        return all;
    }

    /// <summary>Requests forwarded with a fuzz id (or, with <c>client:</c> and an address, without one), oldest first; taking them removes them.</summary>
    public IReadOnlyList<ForwardedRequest> Take(string key)
    {
        var taken = new List<ForwardedRequest>();
        if (_byClient.TryGetValue(key, out var queue))
        {
            while (queue.TryDequeue(out var r))
            {
                taken.Add(r);
            }
        }

        return taken;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException or OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is ObjectDisposedException or SocketException or OperationCanceledException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(socket));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        var reader = new ByteReader(socket, _stop.Token);
        try
        {
            while (true)
            {
                var head = await reader.ReadHeadAsync();
                if (head is null)
                {
                    return;
                }

                var headers = ParseHeaders(head);
                var record = new MemoryStream();
                record.Write(head);
                var complete = true;
                try
                {
                    if (headers.TryGetValue("expect", out var expect) && expect.Contains("100-continue", StringComparison.OrdinalIgnoreCase))
                    {
                        await socket.SendAsync(Continue, SocketFlags.None, _stop.Token);
                    }

                    if (headers.TryGetValue("transfer-encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
                    {
                        await reader.CopyChunkedAsync(record);
                    }
                    else if (headers.TryGetValue("content-length", out var cl) && long.TryParse(cl, out var length) && length > 0)
                    {
                        await reader.CopyAsync(record, length);
                    }
                }
                catch (Exception e) when (e is IOException or SocketException or EndOfStreamException)
                {
                    complete = false;
                }

                if (headers.ContainsKey("x-forwarded-host"))
                {
                    var key = headers.TryGetValue("x-fuzz-id", out var id) ? id : "client:" + (headers.TryGetValue("x-real-ip", out var ip) ? ip : "unknown");
                    _byClient.GetOrAdd(key, _ => new ConcurrentQueue<ForwardedRequest>()).Enqueue(new ForwardedRequest(record.ToArray(), complete));
                }

                if (!complete)
                {
                    return;
                }

                await socket.SendAsync(Answer, SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private static Dictionary<string, string> ParseHeaders(byte[] head)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in Encoding.Latin1.GetString(head).Split("\r\n").Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers.TryAdd(line[..colon].Trim().ToLowerInvariant(), line[(colon + 1)..].Trim());
            }
        }

        return headers;
    }

    /// <summary>Buffered reads from a socket: a request head, a length, a chunked body.</summary>
    private sealed class ByteReader(Socket socket, CancellationToken stop)
    {
        private readonly byte[] _buffer = new byte[65536];
        private int _start;
        private int _end;

        public async Task<byte[]?> ReadHeadAsync()
        {
            var head = new MemoryStream();
            var matched = 0;
            while (true)
            {
                if (_start == _end && !await FillAsync())
                {
                    return null;
                }

                var b = _buffer[_start++];
                head.WriteByte(b);
                matched = b == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : (b == '\r' ? 1 : 0);
                if (matched == 4)
                {
                    return head.ToArray();
                }

                if (head.Length > 1 << 20)
                {
                    throw new IOException("request head over 1 MiB");
                }
            }
        }

        public async Task CopyAsync(Stream into, long length)
        {
            while (length > 0)
            {
                if (_start == _end && !await FillAsync())
                {
                    throw new EndOfStreamException();
                }

                var n = (int)Math.Min(length, _end - _start);
                into.Write(_buffer, _start, n);
                _start += n;
                length -= n;
            }
        }

        public async Task CopyChunkedAsync(Stream into)
        {
            while (true)
            {
                var line = await ReadLineAsync(into);
                var semicolon = line.IndexOf(';', StringComparison.Ordinal);
                var size = Convert.ToInt64((semicolon < 0 ? line : line[..semicolon]).Trim(), 16);
                if (size == 0)
                {
                    // Trailers, up to the empty line.
                    while ((await ReadLineAsync(into)).Length > 0)
                    {
                    }

                    return;
                }

                await CopyAsync(into, size + 2);
            }
        }

        private async Task<string> ReadLineAsync(Stream into)
        {
            var line = new StringBuilder();
            while (true)
            {
                if (_start == _end && !await FillAsync())
                {
                    throw new EndOfStreamException();
                }

                var b = _buffer[_start++];
                into.WriteByte(b);
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

/// <summary>One forwarded request's bytes, and whether its body arrived whole.</summary>
public sealed record ForwardedRequest(byte[] Bytes, bool Complete);
