using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.EndToEnd.Tests.TokenAuth;

/// <summary>
/// The seed's delegated method: a real docker-registry 2.8.2 with <c>auth: token</c> whose <c>rootcertbundle</c> is
/// the gateway's token certificate; the gateway only issues tokens (its ACL decides), and the registry itself
/// accepts or refuses them. skopeo talks to the registry and fetches tokens from the gateway.
/// </summary>
public sealed class RegistryTokenAuthTests : IAsyncLifetime
{
    private const string Service = "e2e-registry";
    private const string Issuer = "e2e-gateway";
    private const string Acl = """
        acl:
          - match: {account: reader}
            actions: [pull]
          - match: {account: "/.+/", name: "${account}/*"}
            actions: ["*"]
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

        // The token signing key and its self-signed certificate: the registry's rootcertbundle.
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=e2e token signer", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var keyPath = _temp.Combine("token.key");
        var certificatePath = _temp.Combine("token.crt");
        await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());
        await File.WriteAllTextAsync(certificatePath, certificate.ExportCertificatePem());

        var port = FreePort.Next();
        _registry = await RegistryServer.StartAsync(_temp, new RegistryOptions
        {
            TokenAuth = new RegistryTokenAuth($"https://127.0.0.1:{port}/token", Service, Issuer, certificatePath),
        });
        _node = await GatewayNode.StartAsync(new GatewayNodeOptions
        {
            Port = port,
            BackendUrls = [_registry.BaseUrl.ToString().TrimEnd('/')],
            HtpasswdFile = htpasswd,
            Environment = new Dictionary<string, string?>
            {
                ["Gateway__Auth__AclFile"] = acl,
                ["Gateway__Token__SigningKey"] = keyPath,
                ["Gateway__Token__Certificate"] = certificatePath,
                ["Gateway__Token__Issuer"] = Issuer,
                ["Gateway__Token__Service"] = Service,
            },
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
    public async Task Skopeo_RegistryAcceptsAllowedPush_RefusesForbiddenOne()
    {
        var image = await TestImages.CreateOciLayoutAsync(_temp.Combine("src"), "v1", 4096);
        var skopeo = Skopeo.Create(_temp);

        // The registry is plain HTTP: skopeo then also skips certificate checks on the token realm.
        var alice = new SkopeoAccess("alice", "alice-pw", TlsVerify: false);
        var reader = new SkopeoAccess("reader", "reader-pw", TlsVerify: false);
        var registry = _registry.HostPort;

        (await skopeo.CopyAsync(image.Reference, $"docker://{registry}/alice/app:v1", alice, "--preserve-digests")).EnsureSuccess();
        (await skopeo.CopyAsync($"docker://{registry}/alice/app:v1", $"oci:{_temp.Combine("back")}:v1", reader)).EnsureSuccess();

        var forbidden = await skopeo.CopyAsync(image.Reference, $"docker://{registry}/reader/app:v1", alice, "--preserve-digests");
        Assert.False(forbidden.Succeeded);
        Assert.True(forbidden.Output.Contains("unauthorized", StringComparison.OrdinalIgnoreCase) || forbidden.Output.Contains("denied", StringComparison.OrdinalIgnoreCase), forbidden.Output);

        var readerPush = await skopeo.CopyAsync(image.Reference, $"docker://{registry}/reader/app:v1", reader, "--preserve-digests");
        Assert.False(readerPush.Succeeded);
        Assert.Contains("insufficient_scope", _registry.Output + readerPush.Output, StringComparison.OrdinalIgnoreCase);
    }
}
