using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Gateway.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Gateway.EndToEnd.Tests.LoadBalancing;

/// <summary>
/// Edges leaving and joining under traffic through HAProxy: SIGTERM drains (no client sees an error), kill -9 costs
/// only what the edge carried (the client's retries succeed through the others), a new edge takes requests within
/// seconds.
/// </summary>
[Collection(LoadBalancingCollection.Name)]
public sealed class EdgeFailureTests(LoadBalancingFixture fixture, ITestOutputHelper output)
{
    private const long MiB = 1024 * 1024;
    private const int ReadChunk = 256 * 1024;

    private static AuthenticationHeaderValue Auth =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{LoadBalancingFixture.User}:{LoadBalancingFixture.Password}")));

    [Fact]
    public async Task Sigterm_ToTheEdgeCarryingALargePull_ThatPullFinishes_AndOtherRequestsGoElsewhere()
    {
        await using var lb = await fixture.StartEdgesAsync(3);
        using var client = TestHttp.CreateClient(lb.Haproxy.BaseUri, fixture.Pki.Root, TimeSpan.FromSeconds(90));
        const string repository = "lb/drain";
        var data = RandomNumberGenerator.GetBytes((int)(64 * MiB));
        var digest = TestImages.DigestOf(data);
        await UploadAsync(client, repository, data, digest);

        using var download = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repository}/blobs/{digest}") { Headers = { Authorization = Auth } };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, download.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync(download.Token);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[ReadChunk];
        long received = 0;

        // The edge carrying this transfer: the only server with a request in progress.
        GatewayNode? carrier = null;
        await Poll.UntilAsync(
            async ct =>
            {
                var busy = (await lb.Haproxy.GetServerStatsAsync(ct)).Values.Where(s => s.CurrentSessions > 0).ToList();
                carrier = busy.Count == 1 ? lb.Edges.Single(e => LoadBalancedEdges.NameOf(e) == busy[0].Server) : null;
                return carrier is not null;
            },
            TimeSpan.FromSeconds(10),
            "HAProxy to show the edge carrying the download");
        await carrier!.Process.SignalAsync(Signal.Term);
        var sinceSigterm = Stopwatch.StartNew();

        // Read slowly so the transfer outlives the drain delay, and meanwhile send other requests through HAProxy.
        var others = new List<HttpStatusCode>();
        using var probe = TestHttp.CreateClient(lb.Haproxy.BaseUri, fixture.Pki.Root, TimeSpan.FromSeconds(10));
        TimeSpan? outOfRotationAt = null;
        while (true)
        {
            var read = await body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, download.Token);
            hash.AppendData(buffer, 0, read);
            received += read;
            if (read < buffer.Length)
            {
                break;
            }

            if (others.Count < 20)
            {
                using var ping = new HttpRequestMessage(HttpMethod.Get, "/v2/") { Headers = { Authorization = Auth } };
                using var answer = await probe.SendAsync(ping, download.Token);
                others.Add(answer.StatusCode);
            }

            if (outOfRotationAt is null && (await lb.Haproxy.GetServerStatsAsync(download.Token))[LoadBalancedEdges.NameOf(carrier)].Status.StartsWith("DOWN", StringComparison.Ordinal))
            {
                outOfRotationAt = sinceSigterm.Elapsed;
            }

            await Task.Delay(15, download.Token);
        }

        var transferEnded = sinceSigterm.Elapsed;
        var exited = await carrier.Process.WaitForExitAsync(LoadBalancingFixture.DrainDelay + LoadBalancingFixture.ShutdownTimeout);
        output.WriteLine($"{carrier}: SIGTERM; out of HAProxy's rotation after {outOfRotationAt?.TotalSeconds:F2} s; transfer ended after {transferEnded.TotalSeconds:F2} s; " +
            $"exited={exited} ({carrier.Process.ExitCode}) after {sinceSigterm.Elapsed.TotalSeconds:F2} s; other requests: {string.Join(",", others.Select(o => (int)o))}");

        Assert.Equal(64 * MiB, received);
        Assert.Equal(digest, "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset()));
        Assert.True(transferEnded > LoadBalancingFixture.DrainDelay, $"the transfer ended before the drain delay ({transferEnded}): inconclusive");
        Assert.NotNull(outOfRotationAt);
        Assert.True(outOfRotationAt < LoadBalancingFixture.DrainDelay, $"HAProxy took the edge out after {outOfRotationAt}, after its drain delay");
        Assert.All(others, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.True(exited, carrier.Process.OutputTail());
        Assert.Equal(0, carrier.Process.ExitCode);
    }

    [Fact]
    public async Task DuringAPullLoop_SigtermOneEdge_Kill9Another_AddANewOne_ClientsOnlyRetryAfterTheKill()
    {
        var watch = Stopwatch.StartNew();
        await using var lb = await fixture.StartEdgesAsync(3);
        using var temp = TempDirectory.Create();
        var oci = await TestImages.CreateOciLayoutAsync(temp.Combine("oci"), "v1", 48 * MiB, 1 * MiB);
        var skopeo = Skopeo.Create(temp);
        var reference = $"docker://{lb.Haproxy.HostPort}/lb/loop:v1";
        (await skopeo.CopyAsync(oci.Reference, reference, fixture.Access(), "--preserve-digests")).EnsureSuccess();

        // The loop: one skopeo pull after another (bounded in count and time), each allowed 3 retries; every pull is
        // recorded with the phase it started and ended in and whether skopeo had to retry.
        var phase = "warm-up";
        var pulls = new List<Pull>();
        using var stop = new CancellationTokenSource();
        var loop = Task.Run(async () =>
        {
            var deadline = Stopwatch.StartNew();
            for (var i = 0; i < 60 && !stop.IsCancellationRequested && deadline.Elapsed < TimeSpan.FromSeconds(75); i++)
            {
                var startedIn = phase;
                var target = temp.Combine($"pull-{i}");
                var attempts = 0;
                var retried = false;
                var errors = new StringBuilder();
                var took = Stopwatch.StartNew();
                CommandResult result;
                do
                {
                    // skopeo retries what failed before an answer (--retry-times 3); a layer cut in the middle by a
                    // killed edge ends the command ("unexpected EOF"), and the client runs it again, as CI jobs do.
                    attempts++;
                    result = await skopeo.CopyAsync(reference, $"oci:{target}:v1", fixture.Access(retryTimes: 3), "--dest-oci-accept-uncompressed-layers");
                    retried |= result.StandardError.Contains("retrying", StringComparison.OrdinalIgnoreCase);
                    errors.Append(result.StandardError);
                }
                while (!result.Succeeded && attempts < 3);
                var ok = result.Succeeded && (await TestImages.ReadOciLayoutAsync(target, "v1")).ManifestDigest == oci.ManifestDigest;
                lock (pulls)
                {
                    pulls.Add(new Pull(i, startedIn, phase, ok, attempts, retried, took.Elapsed, errors.ToString()));
                }

                Directory.Delete(target, recursive: true);
            }
        });
        int Done() { lock (pulls) { return pulls.Count; } }
        async Task WaitForPullsAsync(int more, string what)
        {
            var target = Done() + more;
            await Poll.UntilAsync(_ => Task.FromResult(Done() >= target || loop.IsCompleted), TimeSpan.FromSeconds(30), what);
            Assert.False(loop.IsFaulted, loop.Exception?.ToString());
        }

        await WaitForPullsAsync(2, "two pulls before anything happens");

        // 1. SIGTERM: the edge drains; HAProxy takes it out; no pull may need a retry.
        var drained = lb.Edges[0];
        phase = "sigterm";
        await drained.Process.SignalAsync(Signal.Term);
        Assert.True(await drained.Process.WaitForExitAsync(LoadBalancingFixture.DrainDelay + TimeSpan.FromSeconds(20)), drained.Process.OutputTail());
        await WaitForPullsAsync(1, "a pull after the drained edge exited");
        await lb.RemoveFromRotationAsync(drained);
        await WaitForPullsAsync(1, "a pull after the reload");

        // 2. kill -9 of the edge carrying a request of a pull (a blob in flight, most likely): what it carried fails,
        // skopeo's retries (or HAProxy's own, for a request that got no answer yet) go through the other edge.
        phase = "kill";
        GatewayNode? killed = null;
        GatewayNode? busyBefore = null;
        await Poll.UntilAsync(
            async ct =>
            {
                // Busy in two polls in a row: a long request, a layer in flight.
                var stats = await lb.Haproxy.GetServerStatsAsync(ct);
                var busy = lb.Edges.Skip(1).Take(2).FirstOrDefault(e => stats[LoadBalancedEdges.NameOf(e)].CurrentSessions > 0);
                killed = busy is not null && busy == busyBefore ? busy : null;
                busyBefore = busy;
                return killed is not null;
            },
            TimeSpan.FromSeconds(15),
            "an edge carrying a request of a pull",
            interval: TimeSpan.FromMilliseconds(20));
        killed!.KillHard();
        await lb.Haproxy.WaitForServerStatusAsync(LoadBalancedEdges.NameOf(killed), "DOWN", TimeSpan.FromSeconds(10));
        await WaitForPullsAsync(2, "two pulls after the kill");
        await lb.RemoveFromRotationAsync(killed);

        // 3. A new edge joins while pulls go on and takes requests within seconds.
        phase = "add";
        var added = await lb.AddEdgeAsync();
        var addedAt = Stopwatch.StartNew();
        var name = LoadBalancedEdges.NameOf(added);
        await Poll.UntilAsync(async ct => (await lb.Haproxy.GetServerStatsAsync(ct))[name].TotalSessions > 0, TimeSpan.FromSeconds(15), $"{name} to carry a request");
        var firstRequestAfter = addedAt.Elapsed;
        await WaitForPullsAsync(2, "two pulls with the new edge");
        await stop.CancelAsync();
        await loop.WaitAsync(TimeSpan.FromSeconds(60));
        var decisions = (await lb.DecisionsAsync())[added];

        List<Pull> all;
        lock (pulls)
        {
            all = [.. pulls];
        }

        output.WriteLine($"{all.Count} pulls in {watch.Elapsed.TotalSeconds:F1} s ({all.Count(p => p.Retried)} retried inside skopeo, {all.Count(p => p.Attempts > 1)} run again); killed {killed}; the new edge carried its first request {firstRequestAfter.TotalSeconds:F2} s after it joined and decided {decisions} times");
        // HAProxy's request log: what the killed edge was carrying when it died (termination flags S…: the server side went away).
        var killedName = LoadBalancedEdges.NameOf(killed);
        foreach (var line in lb.Haproxy.Process.Lines.Where(l => l.Contains($"edges/{killedName} ", StringComparison.Ordinal) && (l.Contains(" - - S", StringComparison.Ordinal) || l.Contains(" 502 ", StringComparison.Ordinal))))
        {
            output.WriteLine($"  cut by the kill: {line}");
        }

        foreach (var pull in all)
        {
            output.WriteLine($"  pull {pull.Index}: {pull.StartedIn} -> {pull.EndedIn}, ok={pull.Ok}, attempts={pull.Attempts}, skopeo retried={pull.Retried}, {pull.Duration.TotalSeconds:F2} s{(pull.Attempts > 1 ? ": " + pull.Error.Trim() : "")}");
        }

        Assert.All(all, p => Assert.True(p.Ok, $"pull {p.Index} ({p.StartedIn} -> {p.EndedIn}) failed:\n{p.Error}"));
        Assert.All(
            all.Where(p => p.EndedIn is "warm-up" or "sigterm"),
            p => Assert.True(p.Attempts == 1 && !p.Retried, $"pull {p.Index} needed a retry while an edge drained:\n{p.Error}"));
        Assert.All(all.Where(p => p.StartedIn is "add"), p => Assert.Equal(1, p.Attempts));
        Assert.Contains(all, p => p.EndedIn is "sigterm");  // the drain really happened under traffic
        Assert.Equal(0, drained.Process.ExitCode);
        Assert.True(firstRequestAfter < TimeSpan.FromSeconds(10), $"the new edge took its first request after {firstRequestAfter}");
        Assert.True(decisions > 0, "the new edge decided nothing");
    }

    private static async Task UploadAsync(HttpClient client, string repository, byte[] data, string digest)
    {
        using var start = await SendAsync(client, HttpMethod.Post, $"/v2/{repository}/blobs/uploads/");
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        using var patch = await SendAsync(client, HttpMethod.Patch, start.Headers.Location!.PathAndQuery, new ByteArrayContent(data));
        Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
        var put = patch.Headers.Location!.PathAndQuery + (patch.Headers.Location.Query.Length > 0 ? "&" : "?") + "digest=" + Uri.EscapeDataString(digest);
        using var done = await SendAsync(client, HttpMethod.Put, put);
        Assert.Equal(HttpStatusCode.Created, done.StatusCode);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content, Headers = { Authorization = Auth } };
        return await client.SendAsync(request);
    }

    private sealed record Pull(int Index, string StartedIn, string EndedIn, bool Ok, int Attempts, bool Retried, TimeSpan Duration, string Error);
}
