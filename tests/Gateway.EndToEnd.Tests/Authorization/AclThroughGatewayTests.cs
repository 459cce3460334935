using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.EndToEnd.Tests.Authorization;

/// <summary>
/// The edge in basic mode with <c>Gateway:Auth:AclFile</c>: a real registry (no auth) behind one gateway node, skopeo
/// in front. The ACL is docker_auth's format: a read-only user, and <c>${account}/*</c> for everyone else.
/// </summary>
public sealed class AclThroughGatewayTests : IAsyncLifetime
{
    private const string Acl = """
        acl:
          - match: {account: reader}
            actions: [pull]
            comment: read-only user
          - match: {account: "/.+/", name: "${account}/*"}
            actions: ["*"]
            comment: everyone owns their namespace
        """;

    private readonly TempDirectory _temp = TempDirectory.Create();
    private TestPki _pki = null!;
    private RegistryServer _registry = null!;
    private GatewayNode _node = null!;

    public async Task InitializeAsync()
    {
        _pki = TestPki.Create(_temp);
        var htpasswd = _temp.Combine("htpasswd");
        await Htpasswd.CreateAsync(htpasswd, Htpasswd.MinimumCost, ("alice", "alice-pw"), ("reader", "reader-pw"));
        var acl = _temp.Combine("acl.yml");
        await File.WriteAllTextAsync(acl, Acl);
        _registry = await RegistryServer.StartAsync(_temp);
        _node = await GatewayNode.StartAsync(new GatewayNodeOptions
        {
            BackendUrls = [_registry.BaseUrl.ToString().TrimEnd('/')],
            HtpasswdFile = htpasswd,
            LogLevelGateway = "Debug",
            Environment = new Dictionary<string, string?> { ["Gateway__Auth__AclFile"] = acl },
        }.WithTls(_pki));
    }

    public async Task DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }

        if (_registry is not null)
        {
            await _registry.DisposeAsync();
        }

        _pki?.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task Skopeo_ReadOnlyUserPullsNotPushes_AccountNamespaceRuleHolds()
    {
        var image = await TestImages.CreateOciLayoutAsync(_temp.Combine("src"), "v1", 4096, 8192);
        var skopeo = Skopeo.Create(_temp);
        var alice = new SkopeoAccess("alice", "alice-pw", _pki.CertDirectory);
        var reader = new SkopeoAccess("reader", "reader-pw", _pki.CertDirectory);

        (await skopeo.CopyAsync(image.Reference, $"docker://{_node.HostPort}/alice/app:v1", alice, "--preserve-digests")).EnsureSuccess();

        var back = _temp.Combine("back");
        (await skopeo.CopyAsync($"docker://{_node.HostPort}/alice/app:v1", $"oci:{back}:v1", reader, "--dest-oci-accept-uncompressed-layers")).EnsureSuccess();
        Assert.Equal(image.ManifestDigest, (await TestImages.ReadOciLayoutAsync(back, "v1")).ManifestDigest);

        var readerPush = await skopeo.CopyAsync(image.Reference, $"docker://{_node.HostPort}/reader/app:v1", reader, "--preserve-digests");
        Assert.False(readerPush.Succeeded);
        Assert.True(Refused(readerPush.Output), readerPush.Output);

        var foreignPush = await skopeo.CopyAsync(image.Reference, $"docker://{_node.HostPort}/reader/app:v1", alice, "--preserve-digests");
        Assert.False(foreignPush.Succeeded);
        Assert.True(Refused(foreignPush.Output), foreignPush.Output);

        var wrongPassword = await skopeo.CopyAsync($"docker://{_node.HostPort}/alice/app:v1", $"oci:{_temp.Combine("nope")}:v1", new SkopeoAccess("alice", "wrong", _pki.CertDirectory));
        Assert.False(wrongPassword.Succeeded);
    }

    /// <summary>skopeo reports the edge's 403 as "denied" (a body it reads) or "403 (Forbidden)" (a HEAD, no body).</summary>
    private static bool Refused(string output) =>
        output.Contains("denied", StringComparison.OrdinalIgnoreCase) || output.Contains("403 (Forbidden)", StringComparison.Ordinal);
}
