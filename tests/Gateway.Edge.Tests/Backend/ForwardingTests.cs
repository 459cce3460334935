using System.Net;
using Gateway.Edge.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace Gateway.Edge.Tests.Backend;

public sealed class ForwardingTests
{
    private static readonly System.Net.Http.Headers.AuthenticationHeaderValue Alice = EdgeTestHost.Basic(EdgeTestHost.User, EdgeTestHost.Password);

    [Fact]
    public async Task Forward_UntrustedPeer_SetsForwardedHeadersFromSocketAndDropsClientValues()
    {
        await using var edge = await EdgeTestHost.StartAsync();

        using var response = await edge.SendAsync(HttpMethod.Get, "/v2/", Alice, r =>
        {
            r.Headers.TryAddWithoutValidation("X-Forwarded-For", "203.0.113.9");
            r.Headers.TryAddWithoutValidation("X-Forwarded-Host", "evil.example");
            r.Headers.TryAddWithoutValidation("Forwarded", "for=203.0.113.9;host=evil.example;proto=http");
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(edge.Backend.Received);
        Assert.Equal("127.0.0.1", received.Headers["X-Forwarded-For"]);
        Assert.Equal("127.0.0.1", received.Headers["X-Real-IP"]);
        Assert.Equal("http", received.Headers["X-Forwarded-Proto"]);
        Assert.Equal(edge.BaseAddress.Authority, received.Headers["X-Forwarded-Host"]);
        Assert.Equal(edge.BaseAddress.Authority, received.Headers["Host"]);
        Assert.False(received.Headers.ContainsKey("Forwarded"));
        Assert.False(received.Headers.ContainsKey("Authorization"));
        Assert.Equal("127.0.0.1", Assert.Single(edge.Cache.Checks).Check.ClientAddress);
    }

    [Fact]
    public async Task Forward_TrustedProxy_TakesClientAddressFromXForwardedFor()
    {
        await using var edge = await EdgeTestHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Network:KnownProxies:0"] = "127.0.0.1" });

        using var response = await edge.SendAsync(HttpMethod.Get, "/v2/", Alice, r => r.Headers.TryAddWithoutValidation("X-Forwarded-For", "203.0.113.9"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(edge.Backend.Received);
        Assert.Equal("203.0.113.9", received.Headers["X-Forwarded-For"]);
        Assert.Equal("203.0.113.9", received.Headers["X-Real-IP"]);
        Assert.Equal("203.0.113.9", Assert.Single(edge.Cache.Checks).Check.ClientAddress);
    }

    [Fact]
    public async Task Forward_TrustedNetwork_TakesClientAddressFromXForwardedFor()
    {
        await using var edge = await EdgeTestHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Network:KnownNetworks:0"] = "127.0.0.0/8" });

        using var response = await edge.SendAsync(HttpMethod.Get, "/v2/", Alice, r => r.Headers.TryAddWithoutValidation("X-Forwarded-For", "203.0.113.77"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("203.0.113.77", Assert.Single(edge.Cache.Checks).Check.ClientAddress);
    }

    [Fact]
    public async Task Forward_BackendSendsApiVersion_ClientSeesItOnce()
    {
        await using var edge = await EdgeTestHost.StartAsync();

        using var response = await edge.SendAsync(HttpMethod.Get, "/v2/", Alice);

        Assert.Equal(["registry/2.0"], response.Headers.GetValues("Docker-Distribution-Api-Version"));
    }

    [Fact]
    public async Task Forward_BackendOmitsApiVersion_EdgeAddsIt()
    {
        await using var edge = await EdgeTestHost.StartAsync();
        edge.Backend.Handler = context =>
        {
            context.Response.StatusCode = 404;
            return Task.CompletedTask;
        };

        using var response = await edge.SendAsync(HttpMethod.Get, "/v2/a/manifests/latest", Alice);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(["registry/2.0"], response.Headers.GetValues("Docker-Distribution-Api-Version"));
    }

    [Fact]
    public async Task Forward_LocationNamingBackend_IsRewrittenToEdgeAndStateKept()
    {
        await using var edge = await EdgeTestHost.StartAsync();
        const string state = "_state=eyJOYW1lIjoiYSJ9%3D%3D&x=a%2Bb";
        edge.Backend.Handler = context =>
        {
            context.Response.StatusCode = 202;
            context.Response.Headers.Location = $"{context.Request.Scheme}://{context.Connection.LocalIpAddress}:{context.Connection.LocalPort}/v2/a/blobs/uploads/u-1?{state}";
            context.Response.Headers["Docker-Upload-UUID"] = "u-1";
            context.Response.Headers["Range"] = "0-0";
            return Task.CompletedTask;
        };

        using var response = await edge.SendAsync(HttpMethod.Post, "/v2/a/blobs/uploads/", Alice);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(new Uri(edge.BaseAddress, $"/v2/a/blobs/uploads/u-1?{state}").ToString(), response.Headers.Location!.ToString());
        Assert.Equal("u-1", Assert.Single(response.Headers.GetValues("Docker-Upload-UUID")));
        Assert.Equal("0-0", Assert.Single(response.Headers.GetValues("Range")));
    }

    [Fact]
    public async Task Forward_RelativeLocationAndQuery_PassUnchanged()
    {
        await using var edge = await EdgeTestHost.StartAsync();
        const string target = "/v2/a/blobs/uploads/u-1?_state=abc%2Bdef%3D%3D&digest=sha256%3Aab";
        edge.Backend.Handler = context =>
        {
            context.Response.StatusCode = 201;
            context.Response.Headers.Location = "/v2/a/blobs/sha256:ab";
            context.Response.Headers["Docker-Content-Digest"] = "sha256:ab";
            return Task.CompletedTask;
        };

        using var response = await edge.SendAsync(HttpMethod.Put, target, Alice, r => r.Content = new ByteArrayContent([1, 2, 3]));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(target, Assert.Single(edge.Backend.Received).RawTarget);
        Assert.Equal("/v2/a/blobs/sha256:ab", response.Headers.Location!.OriginalString);
        Assert.Equal("sha256:ab", Assert.Single(response.Headers.GetValues("Docker-Content-Digest")));
    }

    [Fact]
    public async Task Forward_UploadLargerThanKestrelDefaultLimit_IsStreamedWhole()
    {
        await using var edge = await EdgeTestHost.StartAsync();
        const long size = 48L * 1024 * 1024;

        using var response = await edge.SendAsync(HttpMethod.Patch, "/v2/a/blobs/uploads/u-1?_state=s", Alice,
            r => r.Content = new StreamContent(new ZeroStream(size)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(size, Assert.Single(edge.Backend.Received).BodyBytes);
    }

    [Fact]
    public async Task Forward_BackendDown_Returns503InRegistryFormat()
    {
        var port = FreePort();
        await using var edge = await EdgeTestHost.StartAsync(backendUrl: _ => $"http://127.0.0.1:{port}");

        using var response = await edge.SendAsync(HttpMethod.Get, "/v2/a/manifests/latest", Alice);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("\"UNAVAILABLE\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(["registry/2.0"], response.Headers.GetValues("Docker-Distribution-Api-Version"));
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class ZeroStream(long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            Array.Clear(buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
