namespace Gateway.Edge.Transfer;

/// <summary>
/// How a node's connections buffer what they receive and send (<c>Gateway:Transfer</c>): the memory blocks Kestrel's
/// socket transport, TLS and HTTP layers read into. Measured in the README's Blob throughput section.
/// </summary>
public sealed class TransferOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Gateway:Transfer";

    /// <summary>
    /// Bytes per buffer block, the most one socket receive, one TLS read and one request-body read can move at once.
    /// Default: 32768 (32 KiB; Kestrel's own pool uses 4 KiB). A 256 MiB push then costs the node up to half the CPU
    /// it costs with 4 KiB blocks, and pulls run about 1.5 times as fast; 64 KiB and 256 KiB measured no better. Each request
    /// being read or answered holds a block or two, so 10,000 requests in flight at once hold about 10,000 × 2 × the
    /// block size; idle keep-alive connections hold none. Between 4096 and 1048576.
    /// </summary>
    public int BlockSize { get; set; } = 32 * 1024;

    /// <summary>
    /// Free blocks kept for reuse, in bytes; blocks returned beyond it go back to the garbage collector, so a burst of
    /// connections does not stay pinned for the life of the process. Default: 16777216 (16 MiB). Between 0 and 1 GiB.
    /// </summary>
    public long MaxPooledBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>
    /// The least an upload's body read hands to the proxy's copy loop, unless the body ends first: the loop then wakes,
    /// and writes to the registry, once per 64 KiB instead of once per TLS record (16 KiB, or 4 KiB from some clients) or
    /// HTTP/2 frame that arrived. It cut the node's CPU per 256 MiB skopeo push (HTTP/2) by about a fifth. Applies to
    /// HTTP/1.1 bodies with a Content-Length and to HTTP/2 bodies (at most as many at once per connection as fit in half
    /// its flow-control window), never to chunked HTTP/1.1 bodies. A slow client's upload reaches the registry in pieces
    /// of this size. Default: 65536 (64 KiB, the size of YARP's copy buffer, so more would not be used). 0 turns it off;
    /// otherwise between 4096 and 65536, and at most half of Kestrel's <c>Limits:MaxRequestBufferSize</c> and
    /// <c>Limits:Http2:InitialStreamWindowSize</c> where those are set (a read must never wait for more than the
    /// connection may hold).
    /// </summary>
    public int MinimumReadSize { get; set; } = 64 * 1024;

    /// <summary>
    /// Whether the bytes a socket received are carried through TLS, HTTP and the proxy's copy loop on the thread that
    /// received them, as nginx's event loop does, instead of being handed from thread to thread at each step (Kestrel's
    /// <c>UnsafePreferInlineScheduling</c> and .NET's inline socket completions,
    /// <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS</c>, which an operator's own value of the variable overrides). It cut
    /// the node's CPU per 256 MiB skopeo push (HTTP/2) from 0.69 to 0.58 s (nginx: 0.48 s), and small requests' by 10–30 %. Safe only because nothing on
    /// the request path blocks or computes for long: bcrypt and LDAP run on threads of their own. Default: true. false
    /// restores .NET's defaults.
    /// </summary>
    public bool InlineScheduling { get; set; } = true;
}
