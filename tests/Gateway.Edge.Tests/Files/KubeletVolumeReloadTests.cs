using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Gateway.Edge.Tests.Support;

namespace Gateway.Edge.Tests.Files;

/// <summary>
/// The edge with its htpasswd and ACL files in a volume laid out as the kubelet lays out a Secret or ConfigMap: a
/// change published by an atomic <c>..data</c> swap takes effect within the documented bound of 1 s, with the
/// default reload settings.
/// </summary>
public sealed class KubeletVolumeReloadTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(1);

    // EdgeTestHost polls faster; these tests run with the shipped default.
    private static readonly string DefaultReloadInterval = new Gateway.Edge.Access.AuthOptions().ReloadInterval.ToString("c", System.Globalization.CultureInfo.InvariantCulture);

    private static string Line(string user, string password) =>
        $"{user}:{BCrypt.Net.BCrypt.HashPassword(password, 4).Replace("$2a$", "$2y$", StringComparison.Ordinal)}\n";

    [Fact]
    public async Task RemovedUser_KubeletDataSwap_RefusedWithinOneSecond()
    {
        var alice = Line(EdgeTestHost.User, EdgeTestHost.Password);
        using var volume = KubeletVolume.Create(new Dictionary<string, string> { ["htpasswd"] = alice + Line("bob", "b0b") });
        await using var edge = await EdgeTestHost.StartAsync(
            settings: new Dictionary<string, string?> { ["Gateway:Auth:ReloadInterval"] = DefaultReloadInterval },
            configure: (_, config) => config["Gateway:Auth:HtpasswdFile"] = volume.PathOf("htpasswd"));
        var bob = EdgeTestHost.Basic("bob", "b0b");
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(edge, "/v2/", bob));

        var clock = Stopwatch.StartNew();
        volume.Swap(new Dictionary<string, string> { ["htpasswd"] = alice });
        var refusedAfter = await UntilAsync(edge, "/v2/", bob, HttpStatusCode.Unauthorized, clock);

        output.WriteLine($"bob refused {refusedAfter.TotalMilliseconds:F0} ms after the swap");
        Assert.True(refusedAfter < Bound, $"bob refused {refusedAfter.TotalMilliseconds:F0} ms after the swap");
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(edge, "/v2/", EdgeTestHost.Basic(EdgeTestHost.User, EdgeTestHost.Password)));
    }

    [Fact]
    public async Task NarrowedAcl_KubeletDataSwap_DeniedWithinOneSecond()
    {
        const string everything = "acl:\n  - match: {account: \"/.+/\"}\n    actions: [\"*\"]\n";
        const string pullOnly = "acl:\n  - match: {account: \"/.+/\"}\n    actions: [pull]\n";
        using var volume = KubeletVolume.Create(new Dictionary<string, string> { ["acl.yml"] = everything });
        await using var edge = await EdgeTestHost.StartAsync(
            settings: new Dictionary<string, string?> { ["Gateway:Auth:ReloadInterval"] = DefaultReloadInterval },
            configure: (_, config) => config["Gateway:Auth:AclFile"] = volume.PathOf("acl.yml"));
        var alice = EdgeTestHost.Basic(EdgeTestHost.User, EdgeTestHost.Password);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(edge, "/v2/team/app/blobs/uploads/", alice, HttpMethod.Post));

        var clock = Stopwatch.StartNew();
        volume.Swap(new Dictionary<string, string> { ["acl.yml"] = pullOnly });
        var deniedAfter = await UntilAsync(edge, "/v2/team/app/blobs/uploads/", alice, HttpStatusCode.Forbidden, clock, HttpMethod.Post);

        output.WriteLine($"push denied {deniedAfter.TotalMilliseconds:F0} ms after the swap");
        Assert.True(deniedAfter < Bound, $"push denied {deniedAfter.TotalMilliseconds:F0} ms after the swap");
    }

    private static async Task<HttpStatusCode> StatusAsync(EdgeTestHost edge, string path, AuthenticationHeaderValue auth, HttpMethod? method = null)
    {
        using var response = await edge.SendAsync(method ?? HttpMethod.Get, path, auth);
        return response.StatusCode;
    }

    /// <summary>Sends the request every 10 ms (bounded: 10 s) until it answers <paramref name="expected"/>; returns when, on <paramref name="clock"/>.</summary>
    private static async Task<TimeSpan> UntilAsync(EdgeTestHost edge, string path, AuthenticationHeaderValue auth, HttpStatusCode expected, Stopwatch clock, HttpMethod? method = null)
    {
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (await StatusAsync(edge, path, auth, method) == expected)
            {
                return clock.Elapsed;
            }

            await Task.Delay(10);
        }

        throw new Xunit.Sdk.XunitException($"{path} never answered {expected} within 10 s");
    }
}
