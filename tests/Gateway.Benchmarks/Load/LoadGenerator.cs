using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Benchmarks.Load;

/// <summary>
/// What to send: one request shape, N connections (one worker each, HTTP/1.1 keep-alive), an unmeasured warm-up,
/// then a measured window. The same generator drives every target, so it is fair to each of them.
/// </summary>
public sealed record LoadSpec
{
    public required Uri Url { get; init; }

    public HttpMethod Method { get; init; } = HttpMethod.Get;

    /// <summary>The Accept header, or null.</summary>
    public string? Accept { get; init; }

    /// <summary>The Authorization header of request number n (e.g. a different wrong password each time), or null.</summary>
    public Func<long, string?> Authorization { get; init; } = _ => null;

    public int Connections { get; init; } = 1;

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(0.5);

    /// <summary>Length of the measured window, unless <see cref="EndWhen"/> ends it.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>When given, the window ends when this task completes (instead of after <see cref="Duration"/>).</summary>
    public Func<Task>? EndWhen { get; init; }

    /// <summary>Upper bound on requests sent (warm-up included); workers stop when it is reached.</summary>
    public long MaxRequests { get; init; } = 5_000_000;

    /// <summary>Status that counts as success; any other (or a failure to get an answer) is an error.</summary>
    public int? ExpectedStatus { get; init; } = 200;

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long requests still running when the window ends may take to finish before they are aborted.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Source address of the connections (e.g. 127.0.1.5: every 127/8 address is local), so servers see distinct clients.</summary>
    public IPAddress? LocalAddress { get; init; }
}

/// <summary>What was answered inside the measured window.</summary>
public sealed record LoadResult(
    long Requests,
    long Errors,
    TimeSpan Window,
    double P50Milliseconds,
    double P99Milliseconds,
    IReadOnlyDictionary<int, long> Statuses,
    CpuUsage? Cpu)
{
    public double RequestsPerSecond => Window > TimeSpan.Zero ? Requests / Window.TotalSeconds : 0;

    /// <summary>"200×1234, 401×3" (status -1: no answer).</summary>
    public string StatusSummary => string.Join(", ", Statuses.OrderBy(s => s.Key).Select(s => $"{(s.Key < 0 ? "none" : s.Key.ToString(System.Globalization.CultureInfo.InvariantCulture))}×{s.Value}"));
}

/// <summary>A small HTTP load generator: HttpClient over SocketsHttpHandler, N workers, latencies of every answer.</summary>
public static class LoadGenerator
{
    /// <summary>
    /// Runs <paramref name="spec"/>. <paramref name="cpu"/> (optional) is started when the measured window opens and
    /// stopped when it closes. Only answers that arrive inside the window count (requests/s, latencies, statuses).
    /// </summary>
    public static async Task<LoadResult> RunAsync(LoadSpec spec, CpuMeter? cpu, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        using var handler = CreateHandler(spec.Connections, spec.LocalAddress);
        using var client = new HttpClient(handler, disposeHandler: false) { Timeout = spec.RequestTimeout };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var logs = new List<Sample>[spec.Connections];
        long sent = 0;

        async Task WorkerAsync(int worker)
        {
            var log = logs[worker] = new List<Sample>(1024);
            while (!stop.IsCancellationRequested)
            {
                var n = Interlocked.Increment(ref sent);
                if (n > spec.MaxRequests)
                {
                    return;
                }

                using var request = new HttpRequestMessage(spec.Method, spec.Url)
                {
                    Version = HttpVersion.Version11,
                    VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                };
                if (spec.Accept is not null)
                {
                    request.Headers.TryAddWithoutValidation("Accept", spec.Accept);
                }

                if (spec.Authorization(n) is { } authorization)
                {
                    request.Headers.TryAddWithoutValidation("Authorization", authorization);
                }

                var started = Stopwatch.GetTimestamp();
                int status;
                try
                {
                    using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, abort.Token).ConfigureAwait(false);
                    status = (int)response.StatusCode;
                }
                catch (OperationCanceledException) when (abort.IsCancellationRequested)
                {
                    return;
                }
#pragma warning disable CA1031 // a failed request is a result (status -1), not a crash of the generator
                catch (Exception)
#pragma warning restore CA1031
                {
                    status = -1;
                }

                log.Add(new Sample(started, Stopwatch.GetTimestamp(), status));
                if (status == -1)
                {
                    await Task.Delay(10, CancellationToken.None).ConfigureAwait(false); // no busy loop on a dead target
                }
            }
        }

        var workers = Enumerable.Range(0, spec.Connections).Select(w => Task.Run(() => WorkerAsync(w), CancellationToken.None)).ToArray();
        try
        {
            await Task.Delay(spec.Warmup, cancellationToken).ConfigureAwait(false);
            var windowStart = Stopwatch.GetTimestamp();
            cpu?.Start();
            if (spec.EndWhen is { } endWhen)
            {
                await endWhen().WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await Task.Delay(spec.Duration, cancellationToken).ConfigureAwait(false);
            }

            var windowEnd = Stopwatch.GetTimestamp();
            var usage = cpu?.Stop();
            await stop.CancelAsync().ConfigureAwait(false);
            var all = Task.WhenAll(workers);
            if (await Task.WhenAny(all, Task.Delay(spec.DrainTimeout, CancellationToken.None)).ConfigureAwait(false) != all)
            {
                await abort.CancelAsync().ConfigureAwait(false); // requests still running (a flood queued at a busy server)
            }

            await all.ConfigureAwait(false);
            return Summarize(logs, windowStart, windowEnd, spec.ExpectedStatus, usage);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await abort.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(workers.Select(w => w.ContinueWith(_ => { }, TaskScheduler.Default))).ConfigureAwait(false);
        }
    }

    /// <summary>One request on a new connection (a login: TCP, TLS and the request), its latency and status.</summary>
    public static async Task<(TimeSpan Latency, int Status)> SendOnceAsync(
        Uri url, string? authorization, IPAddress? localAddress, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        using var handler = CreateHandler(1, localAddress);
        using var client = new HttpClient(handler, disposeHandler: false) { Timeout = timeout };
        using var request = new HttpRequestMessage(HttpMethod.Get, url) { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return (Stopwatch.GetElapsedTime(started), (int)response.StatusCode);
        }
        catch (HttpRequestException)
        {
            return (Stopwatch.GetElapsedTime(started), -1);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (Stopwatch.GetElapsedTime(started), -1); // timed out
        }
    }

    /// <summary>"Basic base64(user:password)".</summary>
    public static string Basic(string user, string password) =>
        new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"))).ToString();

    /// <summary>A handler for loopback targets: no proxy, no redirects, no cookies, any certificate, optional source address.</summary>
    public static SocketsHttpHandler CreateHandler(int connections, IPAddress? localAddress)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            MaxConnectionsPerServer = connections,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        };
        if (localAddress is not null)
        {
            handler.ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(localAddress, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, ct).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        return handler;
    }

    private static LoadResult Summarize(List<Sample>[] logs, long windowStart, long windowEnd, int? expected, CpuUsage? usage)
    {
        var latencies = new List<long>();
        var statuses = new Dictionary<int, long>();
        long errors = 0;
        foreach (var log in logs)
        {
            if (log is null)
            {
                continue;
            }

            foreach (var sample in log)
            {
                if (sample.End < windowStart || sample.End > windowEnd)
                {
                    continue;
                }

                latencies.Add(sample.End - sample.Start);
                statuses[sample.Status] = statuses.GetValueOrDefault(sample.Status) + 1;
                if (sample.Status == -1 || (expected is { } e && sample.Status != e))
                {
                    errors++;
                }
            }
        }

        latencies.Sort();
        return new LoadResult(
            latencies.Count,
            errors,
            Stopwatch.GetElapsedTime(windowStart, windowEnd),
            Percentile(latencies, 0.50),
            Percentile(latencies, 0.99),
            statuses,
            usage);
    }

    /// <summary>Nearest-rank percentile of sorted Stopwatch ticks, in milliseconds; NaN when empty.</summary>
    private static double Percentile(List<long> sorted, double p)
    {
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(p * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)] * 1000.0 / Stopwatch.Frequency;
    }

    private readonly record struct Sample(long Start, long End, int Status);
}
