using System.Collections.Concurrent;
using System.Globalization;
using System.Net;

namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>One span as received over OTLP.</summary>
/// <param name="TraceId">32 lowercase hex digits.</param>
/// <param name="SpanId">16 lowercase hex digits.</param>
/// <param name="ParentSpanId">16 lowercase hex digits, or empty for a root span.</param>
/// <param name="Name">The span name.</param>
/// <param name="Kind">OTLP's SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer.</param>
/// <param name="Scope">The instrumentation scope (the ActivitySource's name).</param>
/// <param name="Attributes">The span's attributes: string, bool, long, double, or object?[] for arrays.</param>
/// <param name="Resource">The resource attributes of the process that sent it.</param>
public sealed record ReceivedSpan(
    string TraceId,
    string SpanId,
    string ParentSpanId,
    string Name,
    int Kind,
    string Scope,
    IReadOnlyDictionary<string, object?> Attributes,
    IReadOnlyDictionary<string, object?> Resource)
{
    public const int KindInternal = 1;
    public const int KindServer = 2;
    public const int KindClient = 3;

    /// <summary>A string attribute, or null.</summary>
    public string? this[string key] => Attributes.TryGetValue(key, out var value) ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;

    /// <summary><c>service.instance.id</c> of the sending process.</summary>
    public string? Instance => Resource.TryGetValue("service.instance.id", out var value) ? value as string : null;

    /// <summary><c>gateway.role</c> of the sending process.</summary>
    public string? Role => Resource.TryGetValue("gateway.role", out var value) ? value as string : null;

    public override string ToString() =>
        $"{Name} [{Scope}, kind {Kind}, {Role}] {TraceId}/{SpanId} <- {(ParentSpanId.Length == 0 ? "root" : ParentSpanId)}";
}

/// <summary>
/// A test OTLP/HTTP receiver (Jaeger cannot run here): accepts protobuf <c>POST /v1/traces</c>, <c>/v1/metrics</c> and
/// <c>/v1/logs</c> on 127.0.0.1, keeps every request body, and decodes the spans by hand
/// (ExportTraceServiceRequest → resource_spans → scope_spans → spans).
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(string Path, byte[] Body)> _requests = new();
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly Task _loop;

    private OtlpReceiver(int port)
    {
        Port = port;
        Endpoint = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"));
        _listener.Prefixes.Add(Endpoint + "/");
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    /// <summary>The value for <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (with <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>).</summary>
    public Uri Endpoint { get; }

    /// <summary>Every span received so far.</summary>
    public IReadOnlyList<ReceivedSpan> Spans => [.. _spans];

    /// <summary>Every request body received so far, with its path.</summary>
    public IReadOnlyList<(string Path, byte[] Body)> Requests => [.. _requests];

    /// <summary>Bodies that could not be decoded (should stay empty).</summary>
    public IReadOnlyList<string> Errors => [.. _errors];

    public static OtlpReceiver Start() => new(FreePort.Next());

    /// <summary>The environment for a gateway node that exports here: traces, metrics and logs, flushed fast.</summary>
    public IReadOnlyDictionary<string, string?> ExporterEnvironment(string serviceName) => new Dictionary<string, string?>
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Endpoint.ToString().TrimEnd('/'),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_SERVICE_NAME"] = serviceName,
        ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
    };

    /// <summary>Waits until the received spans satisfy <paramref name="condition"/>.</summary>
    public Task WaitForSpansAsync(Func<IReadOnlyList<ReceivedSpan>, bool> condition, TimeSpan timeout, string what) =>
        Poll.UntilAsync(_ => Task.FromResult(condition(Spans)), timeout, what, interval: TimeSpan.FromMilliseconds(100));

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
        }
        catch (HttpListenerException)
        {
        }
    }

    /// <summary>Decodes one ExportTraceServiceRequest.</summary>
    public static List<ReceivedSpan> DecodeTraces(ReadOnlySpan<byte> body)
    {
        var spans = new List<ReceivedSpan>();
        var request = new ProtobufReader(body);
        while (request.TryReadTag(out var field))
        {
            if (field == 1 && request.WireType == 2)
            {
                DecodeResourceSpans(request.ReadBytes(), spans);
            }
            else
            {
                request.Skip();
            }
        }

        return spans;
    }

    private static void DecodeResourceSpans(ReadOnlySpan<byte> data, List<ReceivedSpan> spans)
    {
        // The resource (field 1) may come after the scope spans (field 2) on the wire: read it first.
        IReadOnlyDictionary<string, object?> resource = new Dictionary<string, object?>();
        var first = new ProtobufReader(data);
        while (first.TryReadTag(out var field))
        {
            if (field == 1 && first.WireType == 2)
            {
                resource = DecodeAttributesOf(first.ReadBytes(), 1);
            }
            else
            {
                first.Skip();
            }
        }

        var reader = new ProtobufReader(data);
        while (reader.TryReadTag(out var field))
        {
            if (field == 2 && reader.WireType == 2)
            {
                DecodeScopeSpans(reader.ReadBytes(), resource, spans);
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private static void DecodeScopeSpans(ReadOnlySpan<byte> data, IReadOnlyDictionary<string, object?> resource, List<ReceivedSpan> spans)
    {
        var scope = string.Empty;
        var first = new ProtobufReader(data);
        while (first.TryReadTag(out var field))
        {
            if (field == 1 && first.WireType == 2)
            {
                var scopeReader = new ProtobufReader(first.ReadBytes());
                while (scopeReader.TryReadTag(out var scopeField))
                {
                    if (scopeField == 1 && scopeReader.WireType == 2)
                    {
                        scope = scopeReader.ReadString();
                    }
                    else
                    {
                        scopeReader.Skip();
                    }
                }
            }
            else
            {
                first.Skip();
            }
        }

        var reader = new ProtobufReader(data);
        while (reader.TryReadTag(out var field))
        {
            if (field == 2 && reader.WireType == 2)
            {
                spans.Add(DecodeSpan(reader.ReadBytes(), scope, resource));
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private static ReceivedSpan DecodeSpan(ReadOnlySpan<byte> data, string scope, IReadOnlyDictionary<string, object?> resource)
    {
        string traceId = string.Empty, spanId = string.Empty, parent = string.Empty, name = string.Empty;
        var kind = 0;
        var attributes = new Dictionary<string, object?>();
        var reader = new ProtobufReader(data);
        while (reader.TryReadTag(out var field))
        {
            switch (field)
            {
                case 1 when reader.WireType == 2:
                    traceId = Convert.ToHexStringLower(reader.ReadBytes());
                    break;
                case 2 when reader.WireType == 2:
                    spanId = Convert.ToHexStringLower(reader.ReadBytes());
                    break;
                case 4 when reader.WireType == 2:
                    parent = Convert.ToHexStringLower(reader.ReadBytes());
                    break;
                case 5 when reader.WireType == 2:
                    name = reader.ReadString();
                    break;
                case 6 when reader.WireType == 0:
                    kind = (int)reader.ReadVarint();
                    break;
                case 9 when reader.WireType == 2:
                    AddKeyValue(reader.ReadBytes(), attributes);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return new ReceivedSpan(traceId, spanId, parent, name, kind, scope, attributes, resource);
    }

    /// <summary>The KeyValue list in field <paramref name="attributesField"/> of a message (Resource: 1).</summary>
    private static Dictionary<string, object?> DecodeAttributesOf(ReadOnlySpan<byte> message, int attributesField)
    {
        var attributes = new Dictionary<string, object?>();
        var reader = new ProtobufReader(message);
        while (reader.TryReadTag(out var field))
        {
            if (field == attributesField && reader.WireType == 2)
            {
                AddKeyValue(reader.ReadBytes(), attributes);
            }
            else
            {
                reader.Skip();
            }
        }

        return attributes;
    }

    private static void AddKeyValue(ReadOnlySpan<byte> keyValue, Dictionary<string, object?> into)
    {
        string? key = null;
        object? value = null;
        var reader = new ProtobufReader(keyValue);
        while (reader.TryReadTag(out var field))
        {
            if (field == 1 && reader.WireType == 2)
            {
                key = reader.ReadString();
            }
            else if (field == 2 && reader.WireType == 2)
            {
                value = DecodeAnyValue(reader.ReadBytes());
            }
            else
            {
                reader.Skip();
            }
        }

        if (key is not null)
        {
            into[key] = value;
        }
    }

    private static object? DecodeAnyValue(ReadOnlySpan<byte> data)
    {
        object? value = null;
        var reader = new ProtobufReader(data);
        while (reader.TryReadTag(out var field))
        {
            switch (field)
            {
                case 1 when reader.WireType == 2:
                    value = reader.ReadString();
                    break;
                case 2 when reader.WireType == 0:
                    value = reader.ReadVarint() != 0;
                    break;
                case 3 when reader.WireType == 0:
                    value = unchecked((long)reader.ReadVarint());
                    break;
                case 4 when reader.WireType == 1:
                    value = BitConverter.UInt64BitsToDouble(reader.ReadFixed64());
                    break;
                case 5 when reader.WireType == 2:
                    var items = new List<object?>();
                    var array = new ProtobufReader(reader.ReadBytes());
                    while (array.TryReadTag(out var itemField))
                    {
                        if (itemField == 1 && array.WireType == 2)
                        {
                            items.Add(DecodeAnyValue(array.ReadBytes()));
                        }
                        else
                        {
                            array.Skip();
                        }
                    }

                    value = items.ToArray();
                    break;
                case 7 when reader.WireType == 2:
                    value = reader.ReadBytes().ToArray();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return value;
    }

    private async Task AcceptLoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(buffer).ConfigureAwait(false);
            var body = buffer.ToArray();
            var path = context.Request.Url?.AbsolutePath ?? string.Empty;
            _requests.Enqueue((path, body));
            if (path == "/v1/traces")
            {
                try
                {
                    foreach (var span in DecodeTraces(body))
                    {
                        _spans.Enqueue(span);
                    }
                }
                catch (FormatException e)
                {
                    _errors.Enqueue($"{path}: {e.Message}");
                }
            }

            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.ContentLength64 = 0;
            context.Response.Close();
        }
        catch (HttpListenerException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
