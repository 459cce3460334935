using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.EndToEnd.Tests.DirectAuth;

/// <summary>What a client sees of the registry protocol through the gateway, against the real registry 2.8.</summary>
public sealed class RegistryProtocolTests(DirectAuthClusterFixture cluster) : IClassFixture<DirectAuthClusterFixture>
{
    [Fact]
    public async Task Upload_ChunkedPatchesOverBothNodes_LocationsPointAtGatewayAndBlobArrives()
    {
        using var a = cluster.A.CreateClient();
        using var b = cluster.B.CreateClient();
        var auth = DirectAuthClusterFixture.Basic(DirectAuthClusterFixture.User, DirectAuthClusterFixture.Password);
        var data = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

        using var start = await SendAsync(a, HttpMethod.Post, "/v2/e2e/upload/blobs/uploads/", auth);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var location = start.Headers.Location!;
        Assert.True(location.IsAbsoluteUri, location.ToString());
        Assert.Equal(cluster.A.BaseUri.GetLeftPart(UriPartial.Authority), location.GetLeftPart(UriPartial.Authority));
        Assert.Contains("_state=", location.Query, StringComparison.Ordinal);
        Assert.Single(start.Headers.GetValues("Docker-Upload-UUID"));
        Assert.Equal("0-0", Assert.Single(start.Headers.GetValues("Range")));
        Assert.Equal(["registry/2.0"], start.Headers.GetValues("Docker-Distribution-Api-Version"));

        // First half through node B (the Location names node A: follow it on B, as a load balancer would),
        // streamed without a Content-Length (chunked transfer encoding).
        var half = data.Length / 2;
        using var patch1 = await SendAsync(b, HttpMethod.Patch, location.PathAndQuery, auth, new StreamContent(new MemoryStream(data, 0, half)), chunked: true);
        Assert.Equal(HttpStatusCode.Accepted, patch1.StatusCode);
        Assert.Equal($"0-{half - 1}", Assert.Single(patch1.Headers.GetValues("Range")));
        Assert.Equal(cluster.B.BaseUri.GetLeftPart(UriPartial.Authority), patch1.Headers.Location!.GetLeftPart(UriPartial.Authority));

        using var patch2 = await SendAsync(a, HttpMethod.Patch, patch1.Headers.Location.PathAndQuery, auth, new ByteArrayContent(data, half, data.Length - half));
        Assert.Equal(HttpStatusCode.Accepted, patch2.StatusCode);

        var put = patch2.Headers.Location!.PathAndQuery + "&digest=" + Uri.EscapeDataString(digest);
        using var done = await SendAsync(b, HttpMethod.Put, put, auth);
        Assert.Equal(HttpStatusCode.Created, done.StatusCode);
        Assert.Equal(digest, Assert.Single(done.Headers.GetValues("Docker-Content-Digest")));
        Assert.Equal(cluster.B.BaseUri.GetLeftPart(UriPartial.Authority), done.Headers.Location!.GetLeftPart(UriPartial.Authority));

        using var get = await SendAsync(a, HttpMethod.Get, $"/v2/e2e/upload/blobs/{digest}", auth);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(data, await get.Content.ReadAsByteArrayAsync());
        Assert.Equal(digest, Assert.Single(get.Headers.GetValues("Docker-Content-Digest")));
        Assert.Equal($"\"{digest}\"", get.Headers.ETag!.ToString());
    }

    [Fact]
    public async Task ManifestUnknown_RegistryErrorPassesWithOneApiVersionHeader()
    {
        using var a = cluster.A.CreateClient();

        using var response = await SendAsync(a, HttpMethod.Get, "/v2/e2e/nothing/manifests/latest", DirectAuthClusterFixture.Basic(DirectAuthClusterFixture.User, DirectAuthClusterFixture.Password));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(["registry/2.0"], response.Headers.GetValues("Docker-Distribution-Api-Version"));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("MANIFEST_UNKNOWN", json.RootElement.GetProperty("errors")[0].GetProperty("code").GetString());
    }

    [Fact]
    public async Task OverLongName_GatewayAnswersNameInvalidAndForwardsNothing()
    {
        var name = string.Join('/', Enumerable.Repeat("abcdefghijklmnop", 20));
        using var a = cluster.A.CreateClient();

        using var gatewayAnswer = await SendAsync(a, HttpMethod.Get, $"/v2/{name}/manifests/latest", DirectAuthClusterFixture.Basic(DirectAuthClusterFixture.User, DirectAuthClusterFixture.Password));
        var registryLogAfterGateway = cluster.Registry.Output;
        using var direct = TestHttp.CreateClient(cluster.Registry.BaseUrl);
        using var registryAnswer = await direct.GetAsync($"/v2/{name}/manifests/latest");

        Assert.Equal(HttpStatusCode.BadRequest, gatewayAnswer.StatusCode);
        Assert.Contains("\"NAME_INVALID\"", await gatewayAnswer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(name, registryLogAfterGateway, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.InternalServerError, registryAnswer.StatusCode);
    }

    [Fact]
    public async Task Http2_AuthenticatedPing_IsServedOverHttp2()
    {
        using var a = cluster.A.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Headers = { Authorization = DirectAuthClusterFixture.Basic(DirectAuthClusterFixture.User, DirectAuthClusterFixture.Password) },
        };

        using var response = await a.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal(["registry/2.0"], response.Headers.GetValues("Docker-Distribution-Api-Version"));
    }

    [Theory]
    [InlineData("docker/1.5.0 go/go1.4.1", HttpStatusCode.NotFound)]
    [InlineData("Go 1.1 package http", HttpStatusCode.NotFound)]
    [InlineData("Go-http-client/1.1", HttpStatusCode.OK)]
    public async Task LegacyUserAgent_GetsRecipeAnswer(string userAgent, HttpStatusCode expected)
    {
        using var b = cluster.B.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/") { Headers = { Authorization = DirectAuthClusterFixture.Basic(DirectAuthClusterFixture.User, DirectAuthClusterFixture.Password) } };
        request.Headers.TryAddWithoutValidation("User-Agent", userAgent);

        using var response = await b.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, System.Net.Http.Headers.AuthenticationHeaderValue auth, HttpContent? content = null, bool chunked = false)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content, Headers = { Authorization = auth, TransferEncodingChunked = chunked } };
        return await client.SendAsync(request);
    }
}
