using System.Net;
using System.Text;
using System.Text.Json;
using Gateway.Edge.Tests.Support;

namespace Gateway.Edge.Tests.Access;

public sealed class AccessMiddlewareTests : IAsyncLifetime
{
    private EdgeTestHost _edge = null!;

    public async Task InitializeAsync() => _edge = await EdgeTestHost.StartAsync();

    public async Task DisposeAsync() => await _edge.DisposeAsync();

    [Fact]
    public async Task Invoke_NoCredentials_Returns401BasicChallengeInRegistryFormat()
    {
        using var response = await _edge.SendAsync(HttpMethod.Get, "/v2/");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal($"Basic realm=\"{EdgeTestHost.Realm}\"", Assert.Single(response.Headers.WwwAuthenticate).ToString());
        Assert.Equal(["registry/2.0"], response.Headers.GetValues("Docker-Distribution-Api-Version"));
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("UNAUTHORIZED", await ErrorCodeAsync(response));
        Assert.Empty(_edge.Backend.Received);
    }

    [Theory]
    [InlineData("Basic !!!notbase64!!!")]
    [InlineData("Basic dXNlcm5vY29sb24=")]
    [InlineData("Basic //46eA==")]
    [InlineData("Basic ")]
    [InlineData("Basic OnBhc3N3b3Jk")]
    public async Task Invoke_MalformedCredentials_Returns401NotServerError(string header)
    {
        using var response = await _edge.SendAsync(HttpMethod.Get, "/v2/", configure: r => r.Headers.TryAddWithoutValidation("Authorization", header));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("UNAUTHORIZED", await ErrorCodeAsync(response));
        Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Empty(_edge.Backend.Received);
    }

    [Fact]
    public async Task Invoke_OverLongCredentials_Returns401()
    {
        var huge = Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:" + new string('x', 5000)));
        using var response = await _edge.SendAsync(HttpMethod.Get, "/v2/", configure: r => r.Headers.TryAddWithoutValidation("Authorization", "Basic " + huge));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(_edge.Backend.Received);
    }

    [Fact]
    public async Task Invoke_WrongPasswordAndUnknownUser_AnswerIdentically()
    {
        using var wrong = await _edge.SendAsync(HttpMethod.Get, "/v2/", EdgeTestHost.Basic(EdgeTestHost.User, "nope"));
        using var unknown = await _edge.SendAsync(HttpMethod.Get, "/v2/", EdgeTestHost.Basic("mallory", "nope"));

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal(await wrong.Content.ReadAsStringAsync(), await unknown.Content.ReadAsStringAsync());
        Assert.Equal(wrong.Headers.WwwAuthenticate.ToString(), unknown.Headers.WwwAuthenticate.ToString());
        Assert.Empty(_edge.Backend.Received);
    }

    [Fact]
    public async Task Invoke_HeadWithoutCredentials_Returns401WithHeadersAndNoBody()
    {
        using var response = await _edge.SendAsync(HttpMethod.Head, "/v2/library/app/manifests/latest");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("registry/2.0", Assert.Single(response.Headers.GetValues("Docker-Distribution-Api-Version")));
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Invoke_ValidCredentials_ForwardsWithoutAuthorization()
    {
        using var response = await _edge.SendAsync(HttpMethod.Get, "/v2/library/app/tags/list", EdgeTestHost.Basic(EdgeTestHost.User, EdgeTestHost.Password));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = Assert.Single(_edge.Backend.Received);
        Assert.Equal("/v2/library/app/tags/list", received.RawTarget);
        Assert.False(received.Headers.ContainsKey("Authorization"));
    }

    [Theory]
    [InlineData("/v2/Library/app/manifests/latest", "NAME_INVALID")]
    [InlineData("/v2/a%2Fb/manifests/latest", "NAME_INVALID")]
    [InlineData("/v2//a/manifests/latest", "NAME_INVALID")]
    [InlineData("/v2/a/blobs/sha256:xyz", "DIGEST_INVALID")]
    public async Task Invoke_InvalidPath_ReturnsRegistryErrorAndForwardsNothing(string path, string code)
    {
        using var response = await _edge.SendAsync(HttpMethod.Get, path, EdgeTestHost.Basic(EdgeTestHost.User, EdgeTestHost.Password));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, await ErrorCodeAsync(response));
        Assert.Equal("registry/2.0", Assert.Single(response.Headers.GetValues("Docker-Distribution-Api-Version")));
        Assert.Empty(_edge.Backend.Received);
    }

    [Theory]
    [InlineData("GET", "bad:tag:x")]
    [InlineData("HEAD", "a:b")]
    [InlineData("DELETE", "sha256:abc")]
    [InlineData("GET", "-dash")]
    public async Task Invoke_ManifestReferenceNeitherTagNorDigest_ReadOrDelete_Answers404ManifestUnknownAfterAuthentication(string method, string reference)
    {
        using var anonymous = await _edge.SendAsync(new HttpMethod(method), $"/v2/a/manifests/{reference}");
        using var response = await _edge.SendAsync(new HttpMethod(method), $"/v2/a/manifests/{reference}", EdgeTestHost.Basic(EdgeTestHost.User, EdgeTestHost.Password));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        if (method != "HEAD")
        {
            Assert.Equal("MANIFEST_UNKNOWN", await ErrorCodeAsync(response));
        }

        Assert.Empty(_edge.Backend.Received);
    }

    [Fact]
    public async Task Invoke_ManifestPutWithReferenceNeitherTagNorDigest_Returns400TagInvalid()
    {
        using var response = await _edge.SendAsync(HttpMethod.Put, "/v2/a/manifests/bad:tag:x", EdgeTestHost.Basic(EdgeTestHost.User, EdgeTestHost.Password));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("TAG_INVALID", await ErrorCodeAsync(response));
        Assert.Empty(_edge.Backend.Received);
    }

    [Theory]
    [InlineData("/v2/a/../b/manifests/latest")]
    [InlineData("/v2/a/./manifests/latest")]
    [InlineData("/v2/a/%2e%2e/b/manifests/latest")]
    public async Task Invoke_DotSegmentsSentRaw_Returns400AndForwardsNothing(string path)
    {
        var status = await RawHttp.GetStatusAsync(_edge.BaseAddress, path, EdgeTestHost.Basic(EdgeTestHost.User, EdgeTestHost.Password).ToString());

        Assert.Equal(400, status);
        Assert.Empty(_edge.Backend.Received);
    }

    [Fact]
    public async Task Invoke_OverLongRepositoryName_Returns400NameInvalidNot500()
    {
        var name = string.Join('/', Enumerable.Repeat("abcdefghij", 30));
        using var response = await _edge.SendAsync(HttpMethod.Get, $"/v2/{name}/manifests/latest", EdgeTestHost.Basic(EdgeTestHost.User, EdgeTestHost.Password));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("NAME_INVALID", await ErrorCodeAsync(response));
        Assert.Empty(_edge.Backend.Received);
    }

    [Fact]
    public async Task Invoke_FormBodyOnUploadStart_IsRefused()
    {
        using var response = await _edge.SendAsync(HttpMethod.Post, "/v2/a/blobs/uploads/", EdgeTestHost.Basic(EdgeTestHost.User, EdgeTestHost.Password),
            r => r.Content = new FormUrlEncodedContent([new("mount", "sha256:" + new string('a', 64)), new("from", "secret/repo")]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(_edge.Backend.Received);
    }

    [Fact]
    public async Task Invoke_MountFromInvalidRepository_Returns400()
    {
        using var response = await _edge.SendAsync(HttpMethod.Post, $"/v2/a/blobs/uploads/?mount=sha256:{new string('a', 64)}&from=Bad/Name", EdgeTestHost.Basic(EdgeTestHost.User, EdgeTestHost.Password));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("NAME_INVALID", await ErrorCodeAsync(response));
        Assert.Empty(_edge.Backend.Received);
    }

    [Fact]
    public async Task Invoke_UnknownEndpoint_Returns404WithoutForwarding()
    {
        using var response = await _edge.SendAsync(HttpMethod.Get, "/v2/a/nonsense/thing", EdgeTestHost.Basic(EdgeTestHost.User, EdgeTestHost.Password));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(_edge.Backend.Received);
    }

    [Fact]
    public async Task Invoke_GrainCallFailsOnce_RetriesAndSucceeds()
    {
        _edge.Cache.FailNext(1);

        using var response = await _edge.SendAsync(HttpMethod.Get, "/v2/", EdgeTestHost.Basic(EdgeTestHost.User, EdgeTestHost.Password));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, _edge.Cache.CheckCalls);
    }

    [Fact]
    public async Task Invoke_GrainCallsKeepFailing_Returns503UnavailableAndNeverForwards()
    {
        _edge.Cache.FailNext(2);

        using var response = await _edge.SendAsync(HttpMethod.Get, "/v2/a/manifests/latest", EdgeTestHost.Basic(EdgeTestHost.User, EdgeTestHost.Password));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("UNAVAILABLE", await ErrorCodeAsync(response));
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal("registry/2.0", Assert.Single(response.Headers.GetValues("Docker-Distribution-Api-Version")));
        Assert.Empty(_edge.Backend.Received);
    }

    [Fact]
    public async Task Invoke_HtpasswdChanges_NewUserWorksAndRemovedUserStops()
    {
        using (var before = await _edge.SendAsync(HttpMethod.Get, "/v2/", EdgeTestHost.Basic(EdgeTestHost.User, EdgeTestHost.Password)))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        var bob = "bob:" + BCrypt.Net.BCrypt.HashPassword("b0b", 4) + "\n";
        await File.WriteAllTextAsync(_edge.HtpasswdPath, bob);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        HttpStatusCode bobStatus;
        do
        {
            await Task.Delay(100);
            using var response = await _edge.SendAsync(HttpMethod.Get, "/v2/", EdgeTestHost.Basic("bob", "b0b"));
            bobStatus = response.StatusCode;
        }
        while (bobStatus != HttpStatusCode.OK && DateTime.UtcNow < deadline);

        using var alice = await _edge.SendAsync(HttpMethod.Get, "/v2/", EdgeTestHost.Basic(EdgeTestHost.User, EdgeTestHost.Password));
        Assert.Equal(HttpStatusCode.OK, bobStatus);
        Assert.Equal(HttpStatusCode.Unauthorized, alice.StatusCode);
    }

    [Fact]
    public async Task Invoke_InvalidHtpasswdChange_KeepsLastGoodVersion()
    {
        await File.WriteAllTextAsync(_edge.HtpasswdPath, "alice:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n");
        await Task.Delay(1000);

        using var response = await _edge.SendAsync(HttpMethod.Get, "/v2/", EdgeTestHost.Basic(EdgeTestHost.User, EdgeTestHost.Password));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<string> ErrorCodeAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("errors")[0].GetProperty("code").GetString()!;
    }
}
