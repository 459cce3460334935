using System.Net.Sockets;
using System.Text;

namespace Gateway.Edge.Tests.Support;

/// <summary>Sends a request line exactly as written (HttpClient would normalize dot segments away).</summary>
public static class RawHttp
{
    public static async Task<int> GetStatusAsync(Uri baseAddress, string rawTarget, string authorization)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(baseAddress.Host, baseAddress.Port);
        await using var stream = client.GetStream();
        var request = $"GET {rawTarget} HTTP/1.1\r\nHost: {baseAddress.Authority}\r\nAuthorization: {authorization}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var statusLine = await reader.ReadLineAsync() ?? string.Empty;
        var parts = statusLine.Split(' ');
        return parts.Length > 1 && int.TryParse(parts[1], out var status) ? status : -1;
    }
}
