using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gateway.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Gateway.EndToEnd.Tests.Access;

/// <summary>
/// Issue 11 end to end: the form-mount bypass and its variants, tried by alice against a real registry through a node
/// in basic mode and one in token mode (the registry without auth of its own), never mount bob's layer; and the
/// answers the registry itself would give for references, broken bodies and missing hosts.
/// </summary>
public sealed class RequestReadingTests(RequestReadingFixture fixture, ITestOutputHelper output) : IClassFixture<RequestReadingFixture>
{
    public static TheoryData<string> Modes => new() { "basic", "token" };

    private static readonly string[] FormContentTypes =
    [
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded;;",
        "application/x-www-form-urlencoded; a=\"",
        "application/x-www-form-urlencoded; a=b c",
        "application/x-www-form-urlencoded; =x",
        "application/x-www-form-urlencoded;charset=\"utf-8",
    ];

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task FormMount_EveryVariant_NeverMountsBobsLayerIntoAlicesRepository(string mode)
    {
        var node = mode == "basic" ? fixture.Basic : fixture.Token;
        var auth = await fixture.AliceAuthorizationAsync(node);
        var form = $"from=bob/private&mount={fixture.BobsLayer}";
        var multipart = $"--XyZ\r\nContent-Disposition: form-data; name=\"from\"\r\n\r\nbob/private\r\n--XyZ\r\nContent-Disposition: form-data; name=\"mount\"\r\n\r\n{fixture.BobsLayer}\r\n--XyZ--\r\n";
        var attempts = new List<(string Name, string Request)>();
        string Post(string contentTypeLines, string body) =>
            $"POST /v2/alice/app/blobs/uploads/ HTTP/1.1\r\nHost: {node.HostPort}\r\nAuthorization: {auth}\r\n{contentTypeLines}Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";
        foreach (var contentType in FormContentTypes)
        {
            attempts.Add(($"form, {contentType}", Post($"Content-Type: {contentType}\r\n", form)));
        }

        attempts.Add(("multipart", Post("Content-Type: multipart/form-data; boundary=XyZ\r\n", multipart)));
        attempts.Add(("multipart, boundary;;", Post("Content-Type: multipart/form-data; boundary=XyZ;;\r\n", multipart)));
        attempts.Add(("two Content-Types, octet-stream first", Post("Content-Type: application/octet-stream\r\nContent-Type: application/x-www-form-urlencoded\r\n", form)));
        attempts.Add(("two Content-Types, form first", Post("Content-Type: application/x-www-form-urlencoded\r\nContent-Type: application/octet-stream\r\n", form)));

        foreach (var (name, request) in attempts)
        {
            var response = await RawTls.SendAsync(node.BaseUri, request);
            output.WriteLine($"{mode} {name}: {response.Status} {response.Body}");
            Assert.NotEqual(201, response.Status);
            Assert.Equal(400, response.Status);
            Assert.Equal("UNSUPPORTED", ErrorCode(response.Body));
        }

        // HTTP/2, as skopeo and docker speak it.
        using var http2 = node.CreateClient();
        foreach (var (contentType, body) in FormContentTypes.Select(c => (c, form)).Append(("multipart/form-data; boundary=XyZ", multipart)))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/alice/app/blobs/uploads/") { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            request.Headers.TryAddWithoutValidation("Authorization", auth);
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            Assert.True(request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType));
            using var response = await http2.SendAsync(request);
            output.WriteLine($"{mode} h2 {contentType}: {(int)response.StatusCode}");
            Assert.Equal(HttpVersion.Version20, response.Version);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        await AssertBobsLayerUnreadableThroughAliceAsync(node, auth);
        var audit = await node.WaitForLogAsync(l => l.Contains("form body refused", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        Assert.Contains("route=blob-upload repository=alice/app", audit, StringComparison.Ordinal);
        Assert.Contains("user=alice", audit, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task QueryMount_FromBobsRepository_RefusedAndAuditedWithBothScopes(string mode)
    {
        var node = mode == "basic" ? fixture.Basic : fixture.Token;
        var auth = await fixture.AliceAuthorizationAsync(node);

        foreach (var query in new[] { $"mount={fixture.BobsLayer}&from=bob/private", $"mount={Uri.EscapeDataString(fixture.BobsLayer)}&fr%6Fm=bob%2Fprivate" })
        {
            var response = await RawTls.SendAsync(node.BaseUri, $"POST /v2/alice/app/blobs/uploads/?{query} HTTP/1.1\r\nHost: {node.HostPort}\r\nAuthorization: {auth}\r\nContent-Length: 0\r\n\r\n");
            output.WriteLine($"{mode} {query}: {response.Status} {response.Header("WWW-Authenticate")} {response.Body}");
            Assert.Equal(mode == "basic" ? 403 : 401, response.Status);
        }

        await AssertBobsLayerUnreadableThroughAliceAsync(node, auth);
        var audit = await node.WaitForLogAsync(l => l.Contains("requested=repository:alice/app:pull,push repository:bob/private:pull", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        Assert.Contains(mode == "basic" ? "access denied" : "access insufficient_scope", audit, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a:b")]
    [InlineData("sha256:abc")]
    [InlineData("bad!tag")]
    public async Task ManifestReferenceNeitherTagNorDigest_ReadOrDelete_404ManifestUnknownAfterAuthentication(string reference)
    {
        var node = fixture.Basic;
        var path = $"/v2/alice/app/manifests/{reference}";
        foreach (var method in new[] { "GET", "HEAD", "DELETE" })
        {
            var anonymous = await RawTls.SendAsync(node.BaseUri, $"{method} {path} HTTP/1.1\r\nHost: {node.HostPort}\r\n\r\n");
            var response = await RawTls.SendAsync(node.BaseUri, $"{method} {path} HTTP/1.1\r\nHost: {node.HostPort}\r\nAuthorization: {RequestReadingFixture.Alice}\r\n\r\n");

            output.WriteLine($"{method} {reference}: {anonymous.Status} / {response.Status} {response.Body}");
            Assert.Equal(401, anonymous.Status);
            Assert.Equal(404, response.Status);
            Assert.StartsWith("application/json", response.Header("Content-Type"), StringComparison.Ordinal);
            if (method != "HEAD")
            {
                Assert.Equal("MANIFEST_UNKNOWN", ErrorCode(response.Body));
            }
        }

        var put = await RawTls.SendAsync(node.BaseUri, $"PUT {path} HTTP/1.1\r\nHost: {node.HostPort}\r\nAuthorization: {RequestReadingFixture.Alice}\r\nContent-Type: application/vnd.oci.image.manifest.v1+json\r\nContent-Length: 2\r\n\r\n{{}}");
        Assert.Equal(400, put.Status);
        Assert.Equal("TAG_INVALID", ErrorCode(put.Body));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("ffffffffffffffffffff")]
    [InlineData("zz")]
    [InlineData("truncated")]
    public async Task MalformedBody_400InTheRegistrysFormat_NotABackendFault(string chunkSize)
    {
        var node = fixture.Basic;
        using var client = node.CreateClient();
        using var start = new HttpRequestMessage(HttpMethod.Post, "/v2/alice/app/blobs/uploads/") { Headers = { Authorization = RequestReadingFixture.Alice } };
        using var started = await client.SendAsync(start);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var location = started.Headers.Location!.PathAndQuery;

        var head = $"PATCH {location} HTTP/1.1\r\nHost: {node.HostPort}\r\nAuthorization: {RequestReadingFixture.Alice}\r\nContent-Type: application/octet-stream\r\n";
        var request = chunkSize == "truncated"
            ? head + "Content-Length: 100\r\n\r\n0123456789"
            : head + $"Transfer-Encoding: chunked\r\n\r\n{chunkSize}\r\n0123456789\r\n0\r\n\r\n";
        // No half-close: Kestrel takes the end of a client's input as the end of the connection, answerless. A body cut
        // short is answered once it stalls past Kestrel's minimum data rate (a few seconds).
        var response = await RawTls.SendAsync(node.BaseUri, request);

        output.WriteLine($"{chunkSize}: {response.Status} {response.Body}");
        Assert.Equal(400, response.Status);
        Assert.Null(response.Header("Retry-After"));
        Assert.Equal("BLOB_UPLOAD_INVALID", ErrorCode(response.Body));
        Assert.Equal("registry/2.0", response.Header("Docker-Distribution-Api-Version"));
    }

    [Theory]
    [InlineData("HTTP/1.1", "Host: \r\n")]
    [InlineData("HTTP/1.0", "")]
    public async Task EmptyOrMissingHost_400InTheGatewaysJson_NoLocationWithoutHost(string version, string hostLine)
    {
        var node = fixture.Basic;
        var response = await RawTls.SendAsync(node.BaseUri, $"POST /v2/alice/app/blobs/uploads/ {version}\r\n{hostLine}Authorization: {RequestReadingFixture.Alice}\r\nContent-Length: 0\r\n\r\n");

        output.WriteLine($"{version} '{hostLine.Trim()}': {response.Status} {response.Body}");
        Assert.Equal(400, response.Status);
        Assert.StartsWith("application/json", response.Header("Content-Type"), StringComparison.Ordinal);
        Assert.Equal("UNSUPPORTED", ErrorCode(response.Body));
        Assert.Null(response.Header("Location"));
    }

    private async Task AssertBobsLayerUnreadableThroughAliceAsync(GatewayNode node, string auth)
    {
        using var client = node.CreateClient();
        foreach (var method in new[] { HttpMethod.Head, HttpMethod.Get })
        {
            using var request = new HttpRequestMessage(method, $"/v2/alice/app/blobs/{fixture.BobsLayer}");
            request.Headers.TryAddWithoutValidation("Authorization", auth);
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }

    private static string? ErrorCode(string body)
    {
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("errors")[0].GetProperty("code").GetString();
    }
}
