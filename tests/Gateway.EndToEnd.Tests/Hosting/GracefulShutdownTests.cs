using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Gateway.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Gateway.EndToEnd.Tests.Hosting;

/// <summary>
/// SIGTERM as Kubernetes or systemd sends it: the node turns not-ready but keeps serving for the drain delay, then
/// stops accepting, lets the transfers in flight finish, and exits with code 0.
/// </summary>
public sealed class GracefulShutdownTests(ITestOutputHelper output)
{
    private const string User = "puller";
    private const string Password = "puller-password-1";
    private const string Repository = "e2e/shutdown";
    private const int BlobSize = 48 * 1024 * 1024;
    private const int ReadChunk = 256 * 1024;
    private const int SignalAfterBytes = 1024 * 1024;

    private static readonly TimeSpan DrainDelay = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ReadPause = TimeSpan.FromMilliseconds(20);

    private static AuthenticationHeaderValue Auth => new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}")));

    [Fact]
    public async Task Sigterm_DuringLargeBlobDownload_TransferCompletesAndProcessExitsCleanly()
    {
        using var temp = TempDirectory.Create();
        await using var registry = await RegistryServer.StartAsync(temp);
        await using var node = await StartNodeAsync(temp, registry);
        using var client = node.CreateClient();
        var data = RandomNumberGenerator.GetBytes(BlobSize);
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));
        await UploadAsync(client, data, digest);

        using var download = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{Repository}/blobs/{digest}") { Headers = { Authorization = Auth } };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, download.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(BlobSize, response.Content.Headers.ContentLength);
        await using var body = await response.Content.ReadAsStreamAsync(download.Token);

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[ReadChunk];
        long received = 0;
        Stopwatch? sinceSigterm = null;
        Task<DrainObservations>? duringDrain = null;
        while (true)
        {
            var read = await body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, download.Token);
            hash.AppendData(buffer, 0, read);
            received += read;
            if (read < buffer.Length)
            {
                break; // end of the body
            }

            if (sinceSigterm is null && received >= SignalAfterBytes)
            {
                await node.Process.SignalAsync(Signal.Term);
                sinceSigterm = Stopwatch.StartNew();
                duringDrain = ObserveDrainAsync(node, sinceSigterm);
            }

            await Task.Delay(ReadPause, download.Token);
        }

        var transferEndedAfter = sinceSigterm!.Elapsed;
        var drain = await duringDrain!;
        var exitedInTime = await node.Process.WaitForExitAsync(DrainDelay + ShutdownTimeout);
        var exitedAfter = sinceSigterm.Elapsed;
        output.WriteLine(
            $"transfer ended {Seconds(transferEndedAfter)} after SIGTERM; ready={drain.Ready} at {Seconds(drain.ReadyAt)}, " +
            $"live={drain.Live}, new GET /v2/={drain.Ping} at {Seconds(drain.PingAt)}, new connections refused from {Seconds(drain.RefusedAt)}; " +
            $"exited with {node.Process.ExitCode} after {Seconds(exitedAfter)}\n{node.Output}");

        // The client got the whole blob, intact, although the node was told to stop early in the transfer.
        Assert.Equal(BlobSize, received);
        Assert.Equal(digest, "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset()));

        // During the drain delay: out of the load balancer's rotation, alive, and still serving new connections.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, drain.Ready);
        Assert.Equal(HttpStatusCode.OK, drain.Live);
        Assert.Equal(HttpStatusCode.OK, drain.Ping);
        Assert.True(drain.PingAt < DrainDelay, $"the drain checks ended {Seconds(drain.PingAt)} after SIGTERM, after the drain delay: inconclusive");

        // Then it stopped accepting while this transfer was still running, and the transfer went on to the end.
        Assert.NotNull(drain.RefusedAt);
        Assert.True(drain.RefusedAt >= DrainDelay, $"new connections refused {Seconds(drain.RefusedAt)} after SIGTERM, before the drain delay ended");
        Assert.True(drain.RefusedAt < transferEndedAfter, $"the transfer ended ({Seconds(transferEndedAfter)}) before the node stopped accepting ({Seconds(drain.RefusedAt)}): inconclusive");

        // The node wrote nothing to its home folder: no data-protection key ring in ~/.aspnet (a read-only container could
        // not write it, and it would hold a key in clear).
        var home = Path.Combine(node.WorkingDirectory, "home");
        Assert.Empty(Directory.EnumerateFileSystemEntries(home));

        Assert.True(exitedInTime, $"still running {Seconds(exitedAfter)} after SIGTERM:\n{node.Process.OutputTail()}");
        Assert.Equal(0, node.Process.ExitCode);
        Assert.Contains("Shutdown requested: draining", node.Output, StringComparison.Ordinal);
        Assert.Contains("Gateway stopped", node.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigterm_Idle_ExitsWithinDrainDelayPlusFewSeconds()
    {
        using var temp = TempDirectory.Create();
        await using var registry = await RegistryServer.StartAsync(temp);
        await using var node = await StartNodeAsync(temp, registry);

        var watch = Stopwatch.StartNew();
        await node.Process.SignalAsync(Signal.Term);
        var exited = await Task.WhenAny(node.Process.Exited, Task.Delay(DrainDelay + TimeSpan.FromSeconds(30))) == node.Process.Exited;
        var elapsed = watch.Elapsed;
        await node.Process.WaitForExitAsync(TimeSpan.FromSeconds(5)); // the rest of its output
        output.WriteLine($"exited={exited} with {node.Process.ExitCode} after {Seconds(elapsed)}\n{node.Output}");

        Assert.True(exited, $"still running {Seconds(elapsed)} after SIGTERM:\n{node.Process.OutputTail()}");
        Assert.Equal(0, node.Process.ExitCode);
        Assert.True(elapsed >= DrainDelay, $"exited after {Seconds(elapsed)}, before the drain delay of {Seconds(DrainDelay)}");
        Assert.True(elapsed < DrainDelay + TimeSpan.FromSeconds(10), $"exited after {Seconds(elapsed)}");
        Assert.Contains("Shutdown requested: draining", node.Output, StringComparison.Ordinal);
        Assert.Contains("Gateway stopped", node.Output, StringComparison.Ordinal);
    }

    private static async Task<GatewayNode> StartNodeAsync(TempDirectory temp, RegistryServer registry)
    {
        var htpasswd = temp.Combine("htpasswd");
        await Htpasswd.CreateAsync(htpasswd, Htpasswd.MinimumCost, (User, Password));
        return await GatewayNode.StartAsync(new GatewayNodeOptions
        {
            BackendUrls = [registry.BaseUrl.ToString().TrimEnd('/')],
            HtpasswdFile = htpasswd,
            DrainDelay = DrainDelay,
            ShutdownTimeout = ShutdownTimeout,
            StopTimeout = DrainDelay + ShutdownTimeout + TimeSpan.FromSeconds(20),
        });
    }

    /// <summary>POST, one PATCH with the whole blob, PUT ?digest= (the monolithic-chunk upload clients use).</summary>
    private static async Task UploadAsync(HttpClient client, byte[] data, string digest)
    {
        using var start = await SendAsync(client, HttpMethod.Post, $"/v2/{Repository}/blobs/uploads/");
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        using var patch = await SendAsync(client, HttpMethod.Patch, start.Headers.Location!.PathAndQuery, new ByteArrayContent(data));
        Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
        var put = patch.Headers.Location!.PathAndQuery + (patch.Headers.Location.Query.Length > 0 ? "&" : "?") + "digest=" + Uri.EscapeDataString(digest);
        using var done = await SendAsync(client, HttpMethod.Put, put);
        Assert.Equal(HttpStatusCode.Created, done.StatusCode);
        Assert.Equal(digest, Assert.Single(done.Headers.GetValues("Docker-Content-Digest")));
    }

    /// <summary>
    /// Right after SIGTERM: polls readiness until it answers 503, then asks liveness and an authenticated GET /v2/ over
    /// a new connection; then waits (bounded) until new TCP connections are refused.
    /// </summary>
    private static async Task<DrainObservations> ObserveDrainAsync(GatewayNode node, Stopwatch sinceSigterm)
    {
        using var probe = TestHttp.CreateClient(node.BaseUri, timeout: TimeSpan.FromSeconds(2));
        HttpStatusCode? ready = null;
        var readyAt = TimeSpan.Zero;
        while (sinceSigterm.Elapsed < DrainDelay)
        {
            using var answer = await probe.GetAsync("healthz/ready");
            ready = answer.StatusCode;
            readyAt = sinceSigterm.Elapsed;
            if (ready == HttpStatusCode.ServiceUnavailable)
            {
                break;
            }

            await Task.Delay(25);
        }

        HttpStatusCode live;
        using (var answer = await probe.GetAsync("healthz/live"))
        {
            live = answer.StatusCode;
        }

        HttpStatusCode ping;
        using (var fresh = TestHttp.CreateClient(node.BaseUri, timeout: TimeSpan.FromSeconds(2)))
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/v2/") { Headers = { Authorization = Auth } })
        using (var answer = await fresh.SendAsync(request))
        {
            ping = answer.StatusCode;
        }

        var pingAt = sinceSigterm.Elapsed;
        TimeSpan? refusedAt = null;
        while (refusedAt is null && sinceSigterm.Elapsed < DrainDelay + TimeSpan.FromSeconds(10))
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(IPAddress.Loopback, node.Port);
                await Task.Delay(50);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset)
            {
                // A connection that raced the listener's close is reset instead of refused: the node stopped accepting either way.
                refusedAt = sinceSigterm.Elapsed;
            }
        }

        return new DrainObservations(ready, readyAt, live, ping, pingAt, refusedAt);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content, Headers = { Authorization = Auth } };
        return await client.SendAsync(request);
    }

    private static string Seconds(TimeSpan? value) =>
        value is { } v ? v.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s" : "never";

    private sealed record DrainObservations(HttpStatusCode? Ready, TimeSpan ReadyAt, HttpStatusCode Live, HttpStatusCode Ping, TimeSpan PingAt, TimeSpan? RefusedAt);
}
