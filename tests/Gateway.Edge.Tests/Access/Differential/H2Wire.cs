using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Edge.Tests.Access.Differential;

/// <summary>
/// Just enough HTTP/2 (RFC 9113) to send one hostile stream with prior knowledge: the preface, SETTINGS (and its
/// acknowledgement), one HEADERS block of HPACK literals without indexing (names and values exactly as given, which
/// .NET's own client would refuse or normalise), DATA, and reading until the stream ends.
/// </summary>
public static class H2Wire
{
    private const byte Data = 0x0, Headers = 0x1, RstStream = 0x3, Settings = 0x4, GoAway = 0x7;
    private const byte EndStream = 0x1, EndHeaders = 0x4, Ack = 0x1;

    /// <summary>Sends the request on a new connection and returns the response status (or -1 when refused or unknown).</summary>
    public static async Task<int> SendAsync(Socket socket, H2Request request, TimeSpan timeout)
    {
        using var stop = new CancellationTokenSource(timeout);
        var output = new MemoryStream();
        output.Write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8);
        WriteFrame(output, Settings, 0, 0, []);

        var block = new MemoryStream();
        WriteLiteral(block, ":method", request.Method);
        WriteLiteral(block, ":scheme", "http");
        WriteLiteral(block, ":path", request.Path);
        if (request.Authority is not null)
        {
            WriteLiteral(block, ":authority", request.Authority);
        }

        foreach (var (name, value) in request.Headers)
        {
            WriteLiteral(block, name, value);
        }

        WriteFrame(output, Headers, (byte)(EndHeaders | (request.Body.Length == 0 ? EndStream : 0)), 1, block.ToArray());
        if (request.Body.Length > 0)
        {
            WriteFrame(output, Data, EndStream, 1, request.Body);
        }

        try
        {
            await socket.SendAsync(output.ToArray(), SocketFlags.None, stop.Token);
            return await ReadUntilStreamEndsAsync(socket, stop.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
        {
            return -1;
        }
    }

    private static async Task<int> ReadUntilStreamEndsAsync(Socket socket, CancellationToken stop)
    {
        var status = -1;
        var header = new byte[9];
        while (true)
        {
            if (!await ReadExactlyAsync(socket, header, stop))
            {
                return status;
            }

            var length = (header[0] << 16) | (header[1] << 8) | header[2];
            var type = header[3];
            var flags = header[4];
            var stream = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(5)) & 0x7fffffff;
            var payload = new byte[length];
            if (!await ReadExactlyAsync(socket, payload, stop))
            {
                return status;
            }

            switch (type)
            {
                case Settings when (flags & Ack) == 0:
                    var ack = new MemoryStream();
                    WriteFrame(ack, Settings, Ack, 0, []);
                    await socket.SendAsync(ack.ToArray(), SocketFlags.None, stop);
                    break;
                case Headers when stream == 1:
                    status = status < 0 ? StatusOf(payload, flags) : status;
                    if ((flags & EndStream) != 0)
                    {
                        return status;
                    }

                    break;
                case Data when stream == 1 && (flags & EndStream) != 0:
                    return status;
                case RstStream when stream == 1:
                case GoAway:
                    return status;
            }
        }
    }

    /// <summary>The <c>:status</c> of a response block, when it is the first field (Kestrel writes it first, without Huffman).</summary>
    private static int StatusOf(byte[] block, byte flags)
    {
        var offset = (flags & 0x8) != 0 ? 1 + block[0] : 0; // PADDED
        offset += (flags & 0x20) != 0 ? 5 : 0; // PRIORITY
        if (offset >= block.Length)
        {
            return -1;
        }

        var first = block[offset];
        if ((first & 0x80) != 0)
        {
            return (first & 0x7f) switch { 8 => 200, 9 => 204, 10 => 206, 11 => 304, 12 => 400, 13 => 404, 14 => 500, _ => -1 };
        }

        // A literal whose name is static entry 8 (:status), with or without indexing.
        if ((first is 0x08 or 0x48 or 0x18) && offset + 2 < block.Length && (block[offset + 1] & 0x80) == 0)
        {
            var length = block[offset + 1];
            if (offset + 2 + length <= block.Length && int.TryParse(Encoding.ASCII.GetString(block, offset + 2, length), out var code))
            {
                return code;
            }
        }

        return -1;
    }

    private static async Task<bool> ReadExactlyAsync(Socket socket, byte[] buffer, CancellationToken stop)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, stop);
            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }

    private static void WriteFrame(Stream output, byte type, byte flags, int stream, byte[] payload)
    {
        Span<byte> header = stackalloc byte[9];
        header[0] = (byte)(payload.Length >> 16);
        header[1] = (byte)(payload.Length >> 8);
        header[2] = (byte)payload.Length;
        header[3] = type;
        header[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(header[5..], stream);
        output.Write(header);
        output.Write(payload);
    }

    /// <summary>A literal header field without indexing, new name (RFC 7541 6.2.2), no Huffman.</summary>
    private static void WriteLiteral(Stream output, string name, string value)
    {
        output.WriteByte(0x00);
        WriteString(output, Encoding.UTF8.GetBytes(name));
        WriteString(output, Encoding.UTF8.GetBytes(value));
    }

    private static void WriteString(Stream output, byte[] bytes)
    {
        // 7-bit prefix integer, H = 0.
        var length = bytes.Length;
        if (length < 127)
        {
            output.WriteByte((byte)length);
        }
        else
        {
            output.WriteByte(127);
            length -= 127;
            while (length >= 128)
            {
                output.WriteByte((byte)((length & 0x7f) | 0x80));
                length >>= 7;
            }

            output.WriteByte((byte)length);
        }

        output.Write(bytes);
    }
}
