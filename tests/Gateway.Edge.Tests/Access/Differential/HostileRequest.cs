using System.Text;

namespace Gateway.Edge.Tests.Access.Differential;

/// <summary>How a hostile request travels to the edge.</summary>
public enum WireProtocol
{
    /// <summary>HTTP/1.1 (or 1.0: the request line says), bytes exactly as generated.</summary>
    Http1,

    /// <summary>HTTP/2 with prior knowledge, one stream; see <see cref="H2Request"/>.</summary>
    Http2,
}

/// <summary>
/// One request as the fuzzer sends it. For HTTP/1.x, <see cref="Raw"/> is every byte written to the connection
/// (several pipelined requests when <see cref="Pipelined"/>); for HTTP/2, <see cref="H2"/> is the stream.
/// </summary>
/// <param name="Protocol">The wire protocol.</param>
/// <param name="Raw">The HTTP/1.x bytes.</param>
/// <param name="H2">The HTTP/2 stream.</param>
/// <param name="HalfClose">Shut down the sending side after the bytes (a body cut short needs the end of the stream).</param>
/// <param name="Pipelined">The bytes hold more than one request: read answers until the server closes.</param>
/// <param name="Tags">What the generator did, for grouping differences.</param>
public sealed record HostileRequest(WireProtocol Protocol, byte[]? Raw, H2Request? H2, bool HalfClose, bool Pipelined, IReadOnlyList<string> Tags)
{
    /// <summary>A short, printable description (control and non-ASCII bytes escaped).</summary>
    public string Describe()
    {
        var text = Protocol == WireProtocol.Http1
            ? Encoding.Latin1.GetString(Raw!)
            : $"[h2] {H2!.Method} {H2.Path} authority={H2.Authority ?? "(none)"} " + string.Join(" | ", H2.Headers.Select(h => h.Name + ": " + h.Value)) + (H2.Body.Length > 0 ? " body=" + Encoding.Latin1.GetString(H2.Body) : string.Empty);
        var builder = new StringBuilder();
        foreach (var c in text.Length > 1500 ? text[..1500] + "…" : text)
        {
            builder.Append(c switch
            {
                '\r' => "\\r",
                '\n' => "\\n",
                '\t' => "\\t",
                < ' ' or > '~' and < '\u00a0' or > '\u00ff' => $"\\x{(int)c:x2}",
                > '~' => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        }

        return builder.ToString();
    }
}

/// <summary>One HTTP/2 request stream. Header names and values are sent as given (Latin-1 bytes), in order.</summary>
public sealed record H2Request(string Method, string Path, string? Authority, IReadOnlyList<(string Name, string Value)> Headers, byte[] Body);
