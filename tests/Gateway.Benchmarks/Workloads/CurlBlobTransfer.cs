using System.Diagnostics;
using System.Globalization;
using Gateway.Benchmarks.Harness;
using Gateway.Benchmarks.Load;
using Gateway.Benchmarks.Targets;

namespace Gateway.Benchmarks.Workloads;

/// <summary>
/// A blob pushed and pulled the way the distribution API does it, with curl over HTTP/1.1 and the benchmark user's
/// Basic credentials: <c>POST /v2/REPO/blobs/uploads/</c> → <c>PUT LOCATION&amp;digest=sha256:…</c> with the whole
/// blob streamed from a file (monolithic); optionally also <c>POST</c> → <c>PATCH</c> with the whole blob as
/// <c>Transfer-Encoding: chunked</c> (docker's way) → <c>PUT ?digest=</c>; then <c>GET /v2/REPO/blobs/DIGEST</c> to a
/// file whose length and digest are checked. Every blob is fresh random data, so nothing is deduplicated. The files,
/// and the repository and blobs in the registry's storage, are deleted afterwards whatever happened.
/// </summary>
public static class CurlBlobTransfer
{
    private const long MiB = 1024 * 1024;

    /// <param name="context">The run.</param>
    /// <param name="target">Where to send it.</param>
    /// <param name="label">Names the run's folder and repository (<c>bench/LABEL</c>): unique in the run.</param>
    /// <param name="round">The round it is reported under.</param>
    /// <param name="mib">The blob's size.</param>
    /// <param name="chunked">Also push a second blob with the chunked <c>PATCH</c>.</param>
    public static async Task<CurlTransferResult> RunOnceAsync(RunContext context, Target target, string label, int round, int mib, bool chunked)
    {
        var stack = context.Stack;
        var cancel = context.CancellationToken;
        var work = stack.Temp.CreateSubdirectory("curl-" + label);
        var repository = "bench/" + label;
        var digests = new List<string>();
        var result = new CurlTransferResult(target.Name, round, mib);
        try
        {
            var curl = Curl.Create(work, BenchmarkStack.User, BenchmarkStack.Password, target.Tls ? stack.Pki.CaCertificatePath : null);
            var blob = Path.Combine(work, "blob");
            var digest = await BlobFile.WriteRandomAsync(blob, mib * MiB, cancel).ConfigureAwait(false);
            digests.Add(digest);
            var chunkedBlob = Path.Combine(work, "blob-chunked");
            if (chunked)
            {
                digests.Add(await BlobFile.WriteRandomAsync(chunkedBlob, mib * MiB, cancel).ConfigureAwait(false));
            }

            await context.SettleAsync().ConfigureAwait(false);
            var idleCores = context.IdleProxyCores.GetValueOrDefault(target.Name);
            var cpuMark = ProcFs.CpuSeconds(target.ProxyPids());
            var phase = Stopwatch.StartNew();
            double PhaseCpu()
            {
                var now = ProcFs.CpuSeconds(target.ProxyPids());
                var net = Math.Max(0, now - cpuMark - (idleCores * phase.Elapsed.TotalSeconds));
                cpuMark = now;
                phase.Restart();
                return net;
            }

            await using var rss = RssSampler.Start(target.ProxyPids());
            var push = await PushAsync(curl, target.BaseUri, repository, blob, digest, chunked: false).ConfigureAwait(false);
            result = result with { Push = push.Error is null ? push.Elapsed : null, PushProxyCpuSeconds = PhaseCpu(), Error = Prefix("push", push.Error) };
            if (result.Error is null && chunked)
            {
                var patch = await PushAsync(curl, target.BaseUri, repository, chunkedBlob, digests[1], chunked: true).ConfigureAwait(false);
                result = result with { PatchPush = patch.Error is null ? patch.Elapsed : null, PatchPushProxyCpuSeconds = PhaseCpu(), Error = Prefix("chunked push", patch.Error) };
            }

            if (result.Error is null)
            {
                var pulled = Path.Combine(work, "pulled");
                var pull = await curl.SendAsync("GET", new Uri(target.BaseUri, $"/v2/{repository}/blobs/{digest}"), 200, output: pulled).ConfigureAwait(false);
                result = result with { PullProxyCpuSeconds = PhaseCpu() };
                var error = pull.Error ?? await CheckAsync(pulled, mib * MiB, digest, cancel).ConfigureAwait(false);
                result = result with { Pull = error is null ? pull.Elapsed : null, Error = Prefix("pull", error) };
            }

            return result with { Rss = await rss.StopAsync().ConfigureAwait(false) };
        }
        finally
        {
            RegistryStorage.DeleteQuietly(work);
            RegistryStorage.Remove(stack.Registry.StorageDirectory, repository, digests);
        }
    }

    /// <summary>One upload: POST, (PATCH,) PUT; the time of all its requests, or why it failed.</summary>
    private static async Task<(TimeSpan Elapsed, string? Error)> PushAsync(Curl curl, Uri server, string repository, string file, string digest, bool chunked)
    {
        var start = await curl.SendAsync("POST", new Uri(server, $"/v2/{repository}/blobs/uploads/"), 202).ConfigureAwait(false);
        var elapsed = start.Elapsed;
        if (start.Error is not null || Location(server, start) is not { } location)
        {
            return (elapsed, start.Error ?? "POST: 202 without a Location");
        }

        if (chunked)
        {
            var patch = await curl.SendAsync("PATCH", location, 202, upload: file, chunked: true).ConfigureAwait(false);
            elapsed += patch.Elapsed;
            if (patch.Error is not null || Location(server, patch) is not { } next)
            {
                return (elapsed, patch.Error ?? "PATCH: 202 without a Location");
            }

            location = next;
        }

        var put = await curl.SendAsync("PUT", WithDigest(location, digest), 201, upload: chunked ? null : file).ConfigureAwait(false);
        elapsed += put.Elapsed;
        if (put.Error is not null)
        {
            return (elapsed, put.Error);
        }

        return put.Reply!.Headers.TryGetValue("Docker-Content-Digest", out var stored) && stored != digest
            ? (elapsed, $"PUT: the registry stored {stored}, not {digest}")
            : (elapsed, null);
    }

    /// <summary>The upload's next URL: the registry's Location, absolute or relative to the server.</summary>
    private static Uri? Location(Uri server, CurlOutcome outcome) =>
        outcome.Reply?.Headers.TryGetValue("Location", out var location) == true && Uri.TryCreate(server, location, out var uri) ? uri : null;

    /// <summary>The upload URL with <c>digest=</c> added to its query (it carries the registry's <c>_state</c>).</summary>
    public static Uri WithDigest(Uri location, string digest)
    {
        ArgumentNullException.ThrowIfNull(location);
        var query = location.Query.TrimStart('?');
        return new UriBuilder(location) { Query = (query.Length == 0 ? "" : query + "&") + "digest=" + Uri.EscapeDataString(digest) }.Uri;
    }

    /// <summary>Null when the pulled file is the blob pushed, otherwise what differs.</summary>
    private static async Task<string?> CheckAsync(string pulled, long length, string digest, CancellationToken cancellationToken)
    {
        var (actualLength, actualDigest) = await BlobFile.DigestAsync(pulled, cancellationToken).ConfigureAwait(false);
        File.Delete(pulled);
        return actualLength == length && actualDigest == digest
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"got {actualLength} bytes {actualDigest}, pushed {length} bytes {digest}");
    }

    private static string? Prefix(string what, string? error) => error is null ? null : $"{what}: {error}";
}
