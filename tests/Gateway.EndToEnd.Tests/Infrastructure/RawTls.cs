using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Sends bytes exactly as written over TLS (HttpClient would join repeated headers, fix framing and require a Host),
/// and reads the one HTTP/1.x answer: status, headers, body.
/// </summary>
public static class RawTls
{
    public static async Task<RawResponse> SendAsync(Uri node, string request, bool halfClose = false, TimeSpan? timeout = null)
    {
        using var stop = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        using var client = new TcpClient();
        await client.ConnectAsync(node.Host, node.Port, stop.Token);
        await using var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = node.Host, ApplicationProtocols = [SslApplicationProtocol.Http11] }, stop.Token);
        await tls.WriteAsync(Encoding.UTF8.GetBytes(request), stop.Token);
        await tls.FlushAsync(stop.Token);
        if (halfClose)
        {
            await tls.ShutdownAsync();
            client.Client.Shutdown(SocketShutdown.Send);
        }

        var raw = new MemoryStream();
        var buffer = new byte[8192];
        try
        {
            while (true)
            {
                var n = await tls.ReadAsync(buffer, stop.Token);
                if (n == 0)
                {
                    break;
                }

                raw.Write(buffer, 0, n);
                if (RawResponse.TryParse(raw.ToArray(), request.StartsWith("HEAD ", StringComparison.Ordinal), out var complete))
                {
                    return complete;
                }
            }
        }
        catch (IOException)
        {
        }

        return RawResponse.TryParse(raw.ToArray(), request.StartsWith("HEAD ", StringComparison.Ordinal), out var response, allowTruncated: true)
            ? response
            : new RawResponse(-1, new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase), Encoding.Latin1.GetString(raw.ToArray()));
    }
}

/// <summary>One HTTP/1.x response as received.</summary>
public sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    internal static bool TryParse(byte[] bytes, bool head, out RawResponse response, bool allowTruncated = false)
    {
        response = null!;
        var text = Encoding.Latin1.GetString(bytes);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return false;
        }

        var lines = text[..end].Split("\r\n");
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers[line[..colon].Trim()] = headers.TryGetValue(line[..colon].Trim(), out var prior) ? prior + ", " + line[(colon + 1)..].Trim() : line[(colon + 1)..].Trim();
            }
        }

        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var body = text[(end + 4)..];
        var length = headers.TryGetValue("Content-Length", out var cl) ? int.Parse(cl, System.Globalization.CultureInfo.InvariantCulture) : -1;
        if (!head && length > body.Length && !allowTruncated)
        {
            return false;
        }

        response = new RawResponse(status, headers, head ? string.Empty : (length >= 0 && length <= body.Length ? body[..length] : body));
        return true;
    }
}
