using System.Text;
using System.Text.Json;

namespace Gateway.Edge.Tests.Access.Differential;

/// <summary>
/// The committed corpus (<c>Corpus/*.jsonl</c>, copied next to the tests): every request that ever found a difference
/// between the gate and the registry, and the reproductions, replayed on every run. The edge's address and
/// alice's credentials are written as <c>{authority}</c> and <c>{authorization}</c>.
/// </summary>
public static class DifferentialCorpus
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    /// <summary>Every corpus entry, with the placeholders filled in.</summary>
    public static IReadOnlyList<(string Name, HostileRequest Request)> Load(string authority, string authorization)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Access", "Differential", "Corpus");
        var entries = new List<(string, HostileRequest)>();
        foreach (var file in Directory.GetFiles(folder, "*.jsonl").Order(StringComparer.Ordinal))
        {
            foreach (var line in File.ReadLines(file).Where(l => l.Length > 0 && !l.StartsWith("//", StringComparison.Ordinal)))
            {
                var entry = JsonSerializer.Deserialize<Entry>(line, Json)!;
                string Fill(string text) => text.Replace("{authority}", authority, StringComparison.Ordinal).Replace("{authorization}", authorization, StringComparison.Ordinal);
                var request = entry.Protocol == "http2"
                    ? new HostileRequest(WireProtocol.Http2, null, new H2Request(entry.Method!, Fill(entry.Path!), entry.Authority is null ? null : Fill(entry.Authority), entry.Headers!.Select(h => (h[0], Fill(h[1]))).ToList(), Encoding.UTF8.GetBytes(entry.Body ?? string.Empty)), false, false, ["corpus"])
                    : new HostileRequest(WireProtocol.Http1, entry.Base64 is not null ? Convert.FromBase64String(entry.Base64) : Encoding.UTF8.GetBytes(Fill(entry.Raw!)), null, entry.HalfClose, entry.Pipelined, ["corpus"]);
                entries.Add(($"{Path.GetFileName(file)}: {entry.Name}", request));
            }
        }

        return entries;
    }

    /// <summary>A corpus line for a request that found a difference (the placeholders put back).</summary>
    public static string ToLine(string name, HostileRequest request, string authority, string authorization)
    {
        string Hide(string text) => text.Replace(authorization, "{authorization}", StringComparison.Ordinal).Replace(authority, "{authority}", StringComparison.Ordinal);
        var entry = request.Protocol == WireProtocol.Http2
            ? new Entry(name, "http2", null, null, request.H2!.Method, Hide(request.H2.Path), request.H2.Authority is null ? null : Hide(request.H2.Authority), request.H2.Headers.Select(h => new[] { h.Name, Hide(h.Value) }).ToList(), Encoding.UTF8.GetString(request.H2.Body), false, false)
            : RoundTrips(request.Raw!)
                ? new Entry(name, "http1", Hide(Encoding.UTF8.GetString(request.Raw!)), null, null, null, null, null, null, request.HalfClose, request.Pipelined)
                : new Entry(name, "http1", null, Convert.ToBase64String(request.Raw!), null, null, null, null, null, request.HalfClose, request.Pipelined);
        return JsonSerializer.Serialize(entry, Json);
    }

    private static bool RoundTrips(byte[] bytes) => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes)).AsSpan().SequenceEqual(bytes);

    /// <summary>A line: <c>raw</c> (text, UTF-8) or <c>base64</c> for HTTP/1.x; method, path, authority, headers and body for HTTP/2.</summary>
    private sealed record Entry(string Name, string Protocol, string? Raw, string? Base64, string? Method, string? Path, string? Authority, List<string[]>? Headers, string? Body, bool HalfClose, bool Pipelined);
}
