using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>One request head seen by a <see cref="RecordingHop"/>.</summary>
/// <param name="Method">The request method.</param>
/// <param name="Target">The request target (path and query).</param>
/// <param name="Headers">The header fields, names in lower case (the last value wins).</param>
public sealed record RecordedRequest(string Method, string Target, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>A header value, or null.</summary>
    public string? this[string name] => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : null;
}

/// <summary>
/// A TCP relay between the gateway and a plain-HTTP registry that records the head of every HTTP/1.1 request it
/// passes on (the registry 2.8 logs no request headers, so this is where the forwarded <c>traceparent</c> is seen).
/// Bytes go through unchanged in both directions; the client-to-server stream is followed with HTTP/1.1 framing
/// (Content-Length and chunked bodies) to find each request head.
/// </summary>
public sealed class RecordingHop : IAsyncDisposable
{
    private const int MaxHead = 64 * 1024;
    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Socket, byte> _open = new();
    private readonly Task _loop;

    private RecordingHop(IPEndPoint target)
    {
        _target = target;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        BaseUrl = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Port}"));
        _loop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    /// <summary>http://127.0.0.1:port (give this to the gateway as the backend).</summary>
    public Uri BaseUrl { get; }

    /// <summary>Every request head passed on so far.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>Framing problems (should stay empty).</summary>
    public IReadOnlyList<string> Errors => [.. _errors];

    /// <summary>While true, new connections are closed at once (the registry "cannot be reached").</summary>
    public bool Refusing { get; set; }

    /// <summary>Cuts every relayed connection now (pooled keep-alive connections included).</summary>
    public void DropConnections()
    {
        foreach (var socket in _open.Keys)
        {
            try
            {
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>Starts a relay to <paramref name="target"/> (an http://127.0.0.1:port URL).</summary>
    public static RecordingHop Start(Uri target) => new(new IPEndPoint(IPAddress.Parse(target.Host), target.Port));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            _ = Task.Run(() => RelayAsync(client));
        }
    }

    private async Task RelayAsync(Socket client)
    {
        if (Refusing)
        {
            client.Dispose();
            return;
        }

        _open[client] = 0;
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        try
        {
            await server.ConnectAsync(_target, _stop.Token).ConfigureAwait(false);
            using var clientStream = new NetworkStream(client, ownsSocket: true);
            using var serverStream = new NetworkStream(server, ownsSocket: false);
            var up = PumpRequestsAsync(clientStream, serverStream);
            var down = PumpAsync(serverStream, clientStream);
            await Task.WhenAny(up, down).ConfigureAwait(false);
            client.Shutdown(SocketShutdown.Both);
            server.Shutdown(SocketShutdown.Both);
            await Task.WhenAll(up, down).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // a connection closed by either side
        }
        finally
        {
            _open.TryRemove(client, out _);
            client.Dispose();
        }
    }

    private async Task PumpAsync(Stream from, Stream to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, _stop.Token).ConfigureAwait(false)) > 0)
            {
                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private async Task PumpRequestsAsync(Stream from, Stream to)
    {
        var buffer = new byte[64 * 1024];
        var framing = new RequestFraming(_requests, _errors);
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, _stop.Token).ConfigureAwait(false)) > 0)
            {
                framing.Feed(buffer.AsSpan(0, read));
                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Follows HTTP/1.1 request framing over a byte stream fed in pieces.</summary>
    private sealed class RequestFraming(ConcurrentQueue<RecordedRequest> requests, ConcurrentQueue<string> errors)
    {
        private readonly List<byte> _line = [];
        private readonly StringBuilder _head = new();
        private State _state = State.Head;
        private long _remaining;
        private bool _chunked;

        private enum State
        {
            Head,
            Body,
            ChunkSize,
            ChunkData,
            ChunkDataEnd,
            Trailers,
            Broken,
        }

        public void Feed(ReadOnlySpan<byte> data)
        {
            var i = 0;
            while (i < data.Length && _state != State.Broken)
            {
                switch (_state)
                {
                    case State.Body:
                    case State.ChunkData:
                        var take = (int)Math.Min(_remaining, data.Length - i);
                        i += take;
                        _remaining -= take;
                        if (_remaining == 0)
                        {
                            _state = _state == State.Body ? State.Head : State.ChunkDataEnd;
                        }

                        break;
                    default:
                        var b = data[i++];
                        _line.Add(b);
                        if (b == (byte)'\n')
                        {
                            var line = Encoding.Latin1.GetString([.. _line]).TrimEnd('\r', '\n');
                            _line.Clear();
                            OnLine(line);
                        }
                        else if (_line.Count > MaxHead)
                        {
                            Break("line too long");
                        }

                        break;
                }
            }
        }

        private void OnLine(string line)
        {
            switch (_state)
            {
                case State.Head when line.Length == 0 && _head.Length == 0:
                    return; // a stray CRLF between requests
                case State.Head when line.Length > 0:
                    _head.Append(line).Append('\n');
                    if (_head.Length > MaxHead)
                    {
                        Break("head too long");
                    }

                    return;
                case State.Head:
                    EndOfHead();
                    return;
                case State.ChunkSize:
                    var size = line.Split(';', 2)[0].Trim();
                    if (!long.TryParse(size, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _remaining) || _remaining < 0)
                    {
                        Break($"bad chunk size '{line}'");
                        return;
                    }

                    _state = _remaining == 0 ? State.Trailers : State.ChunkData;
                    return;
                case State.ChunkDataEnd:
                    _state = line.Length == 0 ? State.ChunkSize : State.Broken;
                    if (_state == State.Broken)
                    {
                        Break("no CRLF after chunk data");
                    }

                    return;
                case State.Trailers:
                    if (line.Length == 0)
                    {
                        _state = State.Head;
                    }

                    return;
            }
        }

        private void EndOfHead()
        {
            var lines = _head.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            _head.Clear();
            var requestLine = lines[0].Split(' ');
            if (requestLine.Length != 3 || !requestLine[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
            {
                Break($"not an HTTP/1.x request line: '{lines[0]}'");
                return;
            }

            var headers = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var header in lines.Skip(1))
            {
                var colon = header.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    headers[header[..colon].Trim().ToLowerInvariant()] = header[(colon + 1)..].Trim();
                }
            }

            requests.Enqueue(new RecordedRequest(requestLine[0], requestLine[1], headers));
            _chunked = headers.TryGetValue("transfer-encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase);
            if (_chunked)
            {
                _state = State.ChunkSize;
            }
            else if (headers.TryGetValue("content-length", out var length) && long.TryParse(length, NumberStyles.None, CultureInfo.InvariantCulture, out _remaining) && _remaining > 0)
            {
                _state = State.Body;
            }
            else
            {
                _state = State.Head;
            }
        }

        private void Break(string why)
        {
            _state = State.Broken;
            errors.Enqueue(why);
        }
    }
}
