using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Gateway.Edge.Tests.Support;

namespace Gateway.Edge.Tests.Authorization;

/// <summary><c>Gateway:Auth:AclFile</c> in basic mode: the edge refuses what the ACL does not grant with 403 <c>DENIED</c>.</summary>
public sealed class AclEnforcementTests : IAsyncLifetime
{
    public const string Acl = """
        acl:
          - match: {account: admin}
            actions: ["*"]
          - match: {account: reader}
            actions: [pull]
          - match: {account: "/.+/", name: "${account}/*"}
            actions: ["*"]
          - match: {account: "/.+/", name: "shared/*"}
            actions: [pull]
        """;

    private const string Digest = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    private static readonly AuthenticationHeaderValue Alice = EdgeTestHost.Basic(EdgeTestHost.User, EdgeTestHost.Password);
    private static readonly AuthenticationHeaderValue Reader = EdgeTestHost.Basic("reader", "r34der");
    private static readonly AuthenticationHeaderValue Admin = EdgeTestHost.Basic("admin", "4dmin");

    private EdgeTestHost _edge = null!;

    public async Task InitializeAsync() => _edge = await EdgeTestHost.StartAsync(
        users: new Dictionary<string, string> { ["reader"] = "r34der", ["admin"] = "4dmin" },
        acl: Acl);

    public async Task DisposeAsync() => await _edge.DisposeAsync();

    [Fact]
    public async Task ReadOnlyUser_CanPull_CannotPush()
    {
        using var pull = await _edge.SendAsync(HttpMethod.Get, "/v2/library/app/manifests/latest", Reader);
        using var push = await _edge.SendAsync(HttpMethod.Put, "/v2/library/app/manifests/latest", Reader);
        using var upload = await _edge.SendAsync(HttpMethod.Post, "/v2/library/app/blobs/uploads/", Reader);
        using var delete = await _edge.SendAsync(HttpMethod.Delete, "/v2/library/app/manifests/" + Digest, Reader);

        Assert.Equal(HttpStatusCode.OK, pull.StatusCode);
        foreach (var refused in new[] { push, upload, delete })
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("DENIED", await ErrorCodeAsync(refused));
            Assert.Equal("registry/2.0", Assert.Single(refused.Headers.GetValues("Docker-Distribution-Api-Version")));
            Assert.Empty(refused.Headers.WwwAuthenticate);
        }

        Assert.Equal("/v2/library/app/manifests/latest", Assert.Single(_edge.Backend.Received).RawTarget);
    }

    [Fact]
    public async Task AccountPlaceholder_GrantsOwnNamespaceOnly()
    {
        using var own = await _edge.SendAsync(HttpMethod.Put, "/v2/alice/app/manifests/v1", Alice);
        using var nested = await _edge.SendAsync(HttpMethod.Post, "/v2/alice/team/app/blobs/uploads/", Alice);
        using var other = await _edge.SendAsync(HttpMethod.Put, "/v2/reader/app/manifests/v1", Alice);
        using var prefix = await _edge.SendAsync(HttpMethod.Get, "/v2/alicex/app/manifests/v1", Alice);
        using var shared = await _edge.SendAsync(HttpMethod.Get, "/v2/shared/base/manifests/v1", Alice);
        using var sharedPush = await _edge.SendAsync(HttpMethod.Put, "/v2/shared/base/manifests/v1", Alice);

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, nested.StatusCode); // Go path.Match: "*" stops at "/", as in docker_auth
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, prefix.StatusCode);
        Assert.Equal(HttpStatusCode.OK, shared.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, sharedPush.StatusCode);
        Assert.Equal(2, _edge.Backend.Received.Count);
    }

    [Fact]
    public async Task Catalog_NeedsStarGrant()
    {
        using var alice = await _edge.SendAsync(HttpMethod.Get, "/v2/_catalog", Alice);
        using var reader = await _edge.SendAsync(HttpMethod.Get, "/v2/_catalog", Reader);
        using var admin = await _edge.SendAsync(HttpMethod.Get, "/v2/_catalog?n=10", Admin);

        Assert.Equal(HttpStatusCode.Forbidden, alice.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, reader.StatusCode);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Equal("/v2/_catalog?n=10", Assert.Single(_edge.Backend.Received).RawTarget);
    }

    [Fact]
    public async Task Base_NeedsOnlyAuthentication()
    {
        using var response = await _edge.SendAsync(HttpMethod.Get, "/v2/", Reader);
        using var wrong = await _edge.SendAsync(HttpMethod.Get, "/v2/", EdgeTestHost.Basic("reader", "nope"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    [Fact]
    public async Task Mount_WithoutPullOnSource_IsRefusedNotForwarded()
    {
        using var refused = await _edge.SendAsync(HttpMethod.Post, $"/v2/alice/app/blobs/uploads/?mount={Digest}&from=reader/secret", Alice);
        using var refusedEncoded = await _edge.SendAsync(HttpMethod.Post, $"/v2/alice/app/blobs/uploads/?mount={Digest}&fr%6Fm=reader%2Fsecret", Alice);
        using var allowed = await _edge.SendAsync(HttpMethod.Post, $"/v2/alice/app/blobs/uploads/?mount={Digest}&from=shared/base", Alice);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("reader/secret", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, refusedEncoded.StatusCode);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal($"/v2/alice/app/blobs/uploads/?mount={Digest}&from=shared/base", Assert.Single(_edge.Backend.Received).RawTarget);
    }

    [Fact]
    public async Task Mount_KeyInAnotherCase_IsAPlainUploadAsTheRegistryReadsIt()
    {
        // Go's form keys are case-sensitive: the registry ignores FROM, so the gate asks only for the target repository.
        using var response = await _edge.SendAsync(HttpMethod.Post, $"/v2/alice/app/blobs/uploads/?mount={Digest}&FROM=reader/secret", Alice);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"/v2/alice/app/blobs/uploads/?mount={Digest}&FROM=reader/secret", Assert.Single(_edge.Backend.Received).RawTarget);
    }

    [Theory]
    [InlineData("/v2/alice/app/manifests/latest?from=reader/secret")]
    [InlineData("/v2/alice/app/tags/list?from=reader/secret")]
    [InlineData("/v2/alice/app/blobs/uploads/?from=reader/secret")]
    public async Task FromOnAnyRepositoryRoute_NeedsPullOnIt_AsTheRegistrysAccessCheckAsks(string target)
    {
        using var response = await _edge.SendAsync(HttpMethod.Get, target, Alice);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(_edge.Backend.Received);
    }

    [Fact]
    public async Task AclChanges_AreTakenWithoutRestart_InvalidChangeKeepsLastGoodRules()
    {
        var path = Path.Combine(_edge.Folder, "acl.yml");
        await File.WriteAllTextAsync(path, "acl:\n  - match: {account: reader}\n    actions: [pull, push]\n");
        await WaitForAsync(async () =>
        {
            using var r = await _edge.SendAsync(HttpMethod.Put, "/v2/library/app/manifests/latest", Reader);
            return r.StatusCode == HttpStatusCode.OK;
        });

        await File.WriteAllTextAsync(path, "acl:\n  - match: {acount: reader}\n    actions: []\n");
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        using var stillAllowed = await _edge.SendAsync(HttpMethod.Put, "/v2/library/app/manifests/latest", Reader);
        Assert.Equal(HttpStatusCode.OK, stillAllowed.StatusCode);

        await File.WriteAllTextAsync(path, "acl: []\n");
        await WaitForAsync(async () =>
        {
            using var r = await _edge.SendAsync(HttpMethod.Get, "/v2/library/app/manifests/latest", Reader);
            return r.StatusCode == HttpStatusCode.Forbidden;
        });
    }

    [Fact]
    public async Task InvalidAclAtStart_StopsTheStartNamingTheKeyAndLine()
    {
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => EdgeTestHost.StartAsync(acl: "acl:\n  - match: {acount: reader}\n    actions: [pull]\n"));

        Assert.Contains("Gateway:Auth:AclFile", ex.ToString(), StringComparison.Ordinal);
        Assert.Contains("unknown match key 'acount'", ex.ToString(), StringComparison.Ordinal);
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 10 s");
            await Task.Delay(100);
        }
    }

    private static async Task<string> ErrorCodeAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("errors")[0].GetProperty("code").GetString()!;
    }
}
