using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.EndToEnd.Tests.DirectAuth;

/// <summary>skopeo (it verifies certificates) pushing and pulling through the gateway cluster.</summary>
public sealed class SkopeoThroughGatewayTests(DirectAuthClusterFixture cluster) : IClassFixture<DirectAuthClusterFixture>
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public async Task Copy_PushThroughNodeAPullThroughNodeB_DigestsMatch()
    {
        using var temp = TempDirectory.Create();
        var image = await TestImages.CreateOciLayoutAsync(temp.Combine("src"), "v1", 64 * MiB, 1 * MiB, 4096);
        var skopeo = Skopeo.Create(temp);
        var access = new SkopeoAccess(DirectAuthClusterFixture.User, DirectAuthClusterFixture.Password, cluster.Pki.CertDirectory);

        (await skopeo.CopyAsync(image.Reference, $"docker://{cluster.A.HostPort}/e2e/skopeo:v1", access, "--preserve-digests")).EnsureSuccess();
        var back = temp.Combine("back");
        (await skopeo.CopyAsync($"docker://{cluster.B.HostPort}/e2e/skopeo:v1", $"oci:{back}:v1", access, "--dest-oci-accept-uncompressed-layers")).EnsureSuccess();
        var pulled = await TestImages.ReadOciLayoutAsync(back, "v1");

        Assert.Equal(image.ManifestDigest, pulled.ManifestDigest);
        Assert.Equal(image.LayerDigests, pulled.LayerDigests);
        foreach (var digest in pulled.LayerDigests)
        {
            Assert.Equal(digest, await TestImages.DigestOfFileAsync(pulled.BlobPath(digest)));
        }
    }

    [Fact]
    public async Task Copy_CertificateFromUnknownCa_IsRejectedByClient()
    {
        using var temp = TempDirectory.Create();
        var image = await TestImages.CreateOciLayoutAsync(temp.Combine("src"), "v1", 4096);
        var skopeo = Skopeo.Create(temp);

        var result = await skopeo.CopyAsync(image.Reference, $"docker://{cluster.A.HostPort}/e2e/untrusted:v1",
            new SkopeoAccess(DirectAuthClusterFixture.User, DirectAuthClusterFixture.Password, cluster.Pki.OtherCaCertDirectory), "--preserve-digests");

        Assert.False(result.Succeeded);
        Assert.Contains("x509", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Copy_WrongPassword_IsRefused()
    {
        using var temp = TempDirectory.Create();
        var image = await TestImages.CreateOciLayoutAsync(temp.Combine("src"), "v1", 4096);
        var skopeo = Skopeo.Create(temp);

        var result = await skopeo.CopyAsync(image.Reference, $"docker://{cluster.B.HostPort}/e2e/refused:v1",
            new SkopeoAccess(DirectAuthClusterFixture.User, "wrong", cluster.Pki.CertDirectory), "--preserve-digests");

        Assert.False(result.Succeeded);
        Assert.Contains("authentication required", result.Output, StringComparison.OrdinalIgnoreCase);
    }
}
