using System.Text.RegularExpressions;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.EndToEnd.Tests.DirectAuth;

/// <summary>The real docker CLI, against a private dockerd, logging in, pushing through one node and pulling through the other.</summary>
public sealed partial class DockerCliThroughGatewayTests(DirectAuthClusterFixture cluster) : IClassFixture<DirectAuthClusterFixture>
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public async Task LoginPushThroughNodeAPullThroughNodeB_SameImageComesBack()
    {
        using var temp = TempDirectory.Create();
        await using var engine = await DockerEngine.StartAsync(temp);
        var oci = await TestImages.CreateOciLayoutAsync(temp.Combine("oci"), "v1", 64 * MiB, 2 * MiB, 8192);
        var pushRef = $"{cluster.A.HostPort}/e2e/docker:v1";
        var pullRef = $"{cluster.B.HostPort}/e2e/docker:v1";
        var archive = temp.Combine("image.tar");
        (await Skopeo.Create(temp).CopyAsync(oci.Reference, $"docker-archive:{archive}:{pushRef}")).EnsureSuccess();
        (await engine.RunCliAsync("load", "-i", archive)).EnsureSuccess();
        var layersBefore = (await engine.RunCliAsync("image", "inspect", "--format", "{{json .RootFS.Layers}}", pushRef)).EnsureSuccess().StandardOutput.Trim();

        var refused = await engine.RunCliAsync("push", pushRef);
        Assert.False(refused.Succeeded, "push without login must be refused");
        var badLogin = await engine.LoginAsync(cluster.A.HostPort, DirectAuthClusterFixture.User, "wrong");
        Assert.False(badLogin.Succeeded);
        Assert.Contains("401", badLogin.Output, StringComparison.Ordinal);

        (await engine.LoginAsync(cluster.A.HostPort, DirectAuthClusterFixture.User, DirectAuthClusterFixture.Password)).EnsureSuccess();
        var push = (await engine.RunCliAsync("push", pushRef)).EnsureSuccess();
        var pushedDigest = DigestLine().Match(push.Output).Groups[1].Value;
        Assert.StartsWith("sha256:", pushedDigest, StringComparison.Ordinal);

        (await engine.RunCliAsync("rmi", pushRef)).EnsureSuccess();
        (await engine.LoginAsync(cluster.B.HostPort, DirectAuthClusterFixture.User, DirectAuthClusterFixture.Password)).EnsureSuccess();
        var pull = (await engine.RunCliAsync("pull", pullRef)).EnsureSuccess();
        var pulledDigest = DigestLine().Match(pull.Output).Groups[1].Value;
        var layersAfter = (await engine.RunCliAsync("image", "inspect", "--format", "{{json .RootFS.Layers}}", pullRef)).EnsureSuccess().StandardOutput.Trim();

        Assert.Equal(pushedDigest, pulledDigest);
        Assert.Equal(layersBefore, layersAfter);
        Assert.Equal(3, Regex.Matches(layersAfter, "sha256:").Count);

        // What the registry stores under that digest is what docker pushed, read back through node B by another client.
        var manifest = (await Skopeo.Create(temp).InspectRawAsync($"docker://{pullRef}",
            new SkopeoAccess(DirectAuthClusterFixture.User, DirectAuthClusterFixture.Password, cluster.Pki.CertDirectory))).EnsureSuccess().StandardOutput;
        Assert.Equal(pushedDigest, TestImages.DigestOf(System.Text.Encoding.UTF8.GetBytes(manifest)));
    }

    [GeneratedRegex(@"[Dd]igest: (sha256:[0-9a-f]{64})")]
    private static partial Regex DigestLine();
}
