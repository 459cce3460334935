using System.Globalization;
using Gateway.Edge.Configuration;
using Gateway.Registry.Configuration;
using Gateway.Edge.Transfer;

namespace Gateway.Host.Hosting;

/// <summary>
/// Kestrel settings that decide what a blob transfer costs, read from Kestrel's own configuration keys (so they are
/// set as ASP.NET documents them) with the gateway's defaults, and checked at start: a bad value stops the process
/// with the key's name.
/// </summary>
public static class KestrelTransferSettings
{
    /// <summary>The largest HTTP/2 frame payload the gateway accepts, advertised to clients in SETTINGS_MAX_FRAME_SIZE.</summary>
    public const string Http2MaxFrameSizeKey = "Kestrel:Limits:Http2:MaxFrameSize";

    /// <summary>
    /// Default of <see cref="Http2MaxFrameSizeKey"/>: 16 KiB, HTTP/2's (and Kestrel's) own default.
    /// </summary>
    public const int DefaultHttp2MaxFrameSize = 16 * 1024;

    /// <summary>
    /// Whether Kestrel's socket transport waits for data (a zero-byte receive) before it hands a buffer to each receive
    /// (.NET's <c>SocketTransportOptions.WaitForDataBeforeAllocatingBuffer</c>).
    /// </summary>
    public const string WaitForDataKey = "Kestrel:Sockets:WaitForDataBeforeAllocatingBuffer";

    /// <summary>Reads <see cref="WaitForDataKey"/>: true (.NET's default) unless set.</summary>
    public static bool WaitForData(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var text = configuration[WaitForDataKey];
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        return bool.TryParse(text, out var wait) ? wait : throw new ConfigurationException($"{WaitForDataKey} must be true or false (was '{text}').");
    }

    /// <summary>Reads and checks the settings; throws <see cref="ConfigurationException"/> naming the key.</summary>
    public static int Http2MaxFrameSize(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var text = configuration[Http2MaxFrameSizeKey];
        if (string.IsNullOrWhiteSpace(text))
        {
            return DefaultHttp2MaxFrameSize;
        }

        // RFC 9113 §6.5.2: between 2^14 and 2^24 - 1.
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size is < 16 * 1024 or > (16 * 1024 * 1024) - 1)
        {
            throw new ConfigurationException($"{Http2MaxFrameSizeKey} must be a whole number of bytes between 16384 and 16777215 (was '{text}').");
        }

        return size;
    }

    /// <summary>What one HTTP/1.1 connection buffers before Kestrel stops reading from it (Kestrel's default: 1 MiB).</summary>
    public const string MaxRequestBufferSizeKey = "Kestrel:Limits:MaxRequestBufferSize";

    /// <summary>What an HTTP/2 client may send on one stream before the node reads it (Kestrel's default: 768 KiB).</summary>
    public const string Http2InitialStreamWindowSizeKey = "Kestrel:Limits:Http2:InitialStreamWindowSize";

    /// <summary>
    /// A coalescing read waits until <c>Gateway:Transfer:MinimumReadSize</c> bytes are buffered: with a Kestrel limit
    /// below twice that, the client would stop sending before the read could end, and the upload would hang. Refused at
    /// start, naming both keys.
    /// </summary>
    public static void RequireRoomFor(IConfiguration configuration, int minimumReadSize, string limitKey)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var text = configuration[limitKey];
        if (minimumReadSize == 0 || string.IsNullOrWhiteSpace(text))
        {
            return;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit < 2L * minimumReadSize)
        {
            throw new ConfigurationException(
                $"{limitKey} ({limit}) must be at least twice {TransferOptions.SectionName}:MinimumReadSize ({minimumReadSize}); lower MinimumReadSize or set it to 0.");
        }
    }

    /// <summary>
    /// Applies the settings to Kestrel, besides what the gateway always sets (no <c>Server</c> header) and its buffer
    /// pool (<see cref="TransferOptions"/>).
    /// </summary>
    public static IWebHostBuilder UseGatewayKestrel(this IWebHostBuilder webHost, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(webHost);
        var frameSize = Http2MaxFrameSize(configuration);
        var waitForData = WaitForData(configuration);
        var transfer = StartupOptions.BindValidated(configuration, TransferOptions.SectionName, new TransferOptionsValidator());
        RequireRoomFor(configuration, transfer.MinimumReadSize, MaxRequestBufferSizeKey);
        RequireRoomFor(configuration, transfer.MinimumReadSize, Http2InitialStreamWindowSizeKey);
        webHost.UseSockets(sockets =>
        {
            sockets.WaitForDataBeforeAllocatingBuffer = waitForData;
            sockets.UnsafePreferInlineScheduling = transfer.InlineScheduling;
        });

        webHost.ConfigureServices(services => services.AddTransferMemoryPool(transfer));
        return webHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.Http2.MaxFrameSize = frameSize;
        });
    }
}
