using System.Net.Sockets;
using System.Text;
using Gateway.Edge.Tests.Support;
using Xunit.Abstractions;

namespace Gateway.Edge.Tests.Backend;

/// <summary>
/// A request body the client garbled is the client's fault: 400 in the registry's format, never a 503 backend fault
/// with <c>Retry-After</c>. (A client that half-closes its connection mid-body gets no answer at all: Kestrel takes the
/// end of its input as the end of the connection.)
/// </summary>
public sealed class MalformedBodyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private EdgeTestHost _edge = null!;

    public async Task InitializeAsync() => _edge = await EdgeTestHost.StartAsync();

    public async Task DisposeAsync() => await _edge.DisposeAsync();

    [Theory]
    [InlineData("-1")]
    [InlineData("zz")]
    [InlineData("ffffffffffffffffffff")]
    [InlineData("0x10")]
    [InlineData("truncated")]
    public async Task Patch_MalformedOrStalledBody_Returns400BlobUploadInvalidWithoutRetryAfter(string size)
    {
        var auth = EdgeTestHost.Basic(EdgeTestHost.User, EdgeTestHost.Password).ToString();
        var head = $"PATCH /v2/alice/app/blobs/uploads/u-1 HTTP/1.1\r\nHost: {_edge.BaseAddress.Authority}\r\nAuthorization: {auth}\r\nContent-Type: application/octet-stream\r\n";
        var request = size == "truncated"
            ? head + "Content-Length: 100\r\n\r\n0123456789"
            : head + $"Transfer-Encoding: chunked\r\n\r\n{size}\r\n0123456789\r\n0\r\n\r\n";
        using var client = new TcpClient();
        await client.ConnectAsync(_edge.BaseAddress.Host, _edge.BaseAddress.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(12));
        var buffer = new byte[4096];
        var received = new StringBuilder();
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer, cts.Token)) > 0)
            {
                received.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
        }

        output.WriteLine(received.ToString());
        var answer = received.ToString();
        Assert.StartsWith("HTTP/1.1 400", answer, StringComparison.Ordinal);
        Assert.Contains("\"code\":\"BLOB_UPLOAD_INVALID\"", answer, StringComparison.Ordinal);
        Assert.DoesNotContain("Retry-After", answer, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Docker-Distribution-Api-Version: registry/2.0", answer, StringComparison.Ordinal);
    }
}
