using System.Text.RegularExpressions;
using Gateway.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Gateway.EndToEnd.Tests.LocalCluster;

/// <summary>
/// <c>deploy/local-cluster.sh up --ldap</c> as the README promises it: the demo directory's users log in with the
/// docker CLI through HAProxy, the ACL gives group ci's member alice <c>ci/*</c> and refuses bob; <c>down</c> stops
/// everything and frees the ports; a second <c>up --ldap</c> in the same state folder works again (what was pushed
/// is still there). The script runs in the test's own folder and on free ports, with the gateway built here.
/// </summary>
public sealed partial class LocalClusterLdapTests(ITestOutputHelper output)
{
    private static readonly TimeSpan UpTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task UpWithLdap_TwiceInARow_DemoUserAliceLogsInAndPushesToCi_BobIsDenied_DownFreesThePorts()
    {
        using var temp = TempDirectory.Create();
        await using var script = LocalClusterScript.Create(temp);
        await using var engine = await DockerEngine.StartAsync(temp);
        var image = $"{script.HostPort}/ci/hello:1";
        var oci = await TestImages.CreateOciLayoutAsync(temp.Combine("oci"), "v1", 64 * 1024);
        (await Skopeo.Create(temp).CopyAsync(oci.Reference, $"docker-archive:{temp.Combine("image.tar")}:{image}")).EnsureSuccess();
        (await engine.RunCliAsync("load", "-i", temp.Combine("image.tar"))).EnsureSuccess();

        var up = await script.RunAsync(UpTimeout, "up", "--ldap", "1");
        output.WriteLine(up.Output);
        Assert.True(up.Succeeded, up.Output);
        Assert.Contains($"LDAP: slapd on ldap://127.0.0.1:{script.LdapPort} (StartTLS)", up.Output, StringComparison.Ordinal);
        Assert.Contains("--dest-creds \"alice:$GATEWAY_LDAP_ALICE_PASSWORD\"", up.Output, StringComparison.Ordinal);
        var exports = await script.ExportsAsync();
        var alice = exports["GATEWAY_LDAP_ALICE_PASSWORD"];
        var bob = exports["GATEWAY_LDAP_BOB_PASSWORD"];

        var wrong = await engine.LoginAsync(script.HostPort, "alice", alice + "-not");
        (await engine.LoginAsync(script.HostPort, "alice", alice)).EnsureSuccess();
        var push = (await engine.RunCliAsync("push", image)).EnsureSuccess();
        (await engine.LoginAsync(script.HostPort, "bob", bob)).EnsureSuccess();
        (await engine.RunCliAsync("tag", image, $"{script.HostPort}/ci/bob:1")).EnsureSuccess();
        var denied = await engine.RunCliAsync("push", $"{script.HostPort}/ci/bob:1");
        var down = await script.RunAsync(TimeSpan.FromMinutes(3), "down");

        Assert.False(wrong.Succeeded);
        Assert.Contains("401", wrong.Output, StringComparison.Ordinal);
        var pushed = Digest().Match(push.Output).Groups[1].Value;
        Assert.StartsWith("sha256:", pushed, StringComparison.Ordinal);
        Assert.False(denied.Succeeded);
        Assert.Contains("denied", denied.Output, StringComparison.OrdinalIgnoreCase);
        Assert.True(down.Succeeded, down.Output);
        Assert.Contains("its ports are free", down.Output, StringComparison.Ordinal);

        // Again, in the same state folder: same passwords, a fresh directory, the registry's storage kept.
        var again = await script.RunAsync(UpTimeout, "up", "--ldap", "1");
        output.WriteLine(again.Output);
        Assert.True(again.Succeeded, again.Output);
        (await engine.RunCliAsync("rmi", image)).EnsureSuccess();
        (await engine.LoginAsync(script.HostPort, "alice", alice)).EnsureSuccess();
        var pull = (await engine.RunCliAsync("pull", image)).EnsureSuccess();
        var secondDown = await script.RunAsync(TimeSpan.FromMinutes(3), "down");

        Assert.Equal(pushed, Digest().Match(pull.Output).Groups[1].Value);
        Assert.True(secondDown.Succeeded, secondDown.Output);
    }

    [GeneratedRegex(@"[Dd]igest: (sha256:[0-9a-f]{64})")]
    private static partial Regex Digest();
}
