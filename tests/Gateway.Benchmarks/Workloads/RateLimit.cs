using System.Globalization;
using System.Net;
using Gateway.Benchmarks.Harness;
using Gateway.Benchmarks.Load;
using Gateway.Benchmarks.Targets;

namespace Gateway.Benchmarks.Workloads;

/// <summary>How many of a user's requests three nodes let through, against a per-user limit.</summary>
public sealed record RateLimitResult(string Target, int Round, int Nodes, int Limit, int Sent, int Passed, int Refused, int Other)
{
    public double PassedPerLimit => Passed / (double)Limit;
}

/// <summary>
/// Rate-limit exactness with three nodes: (nodes + 1) × L <c>GET /v2/</c> requests of one user, spread round-robin
/// over the three nodes (8 at a time), against the gateway's cluster-wide limit (L per hour) and against nginx
/// <c>limit_req</c> on three nodes (three server blocks, a zone each, burst L−1 nodelay: L at once per node). The 200s
/// are counted: exact is L; independent limits let about nodes × L through. Each round uses a user of its own.
/// </summary>
public static class RateLimit
{
    public const int Nodes = 3;
    public const string NginxName = "nginx-limit_req ×3";

    public static string RateUser(int round) => string.Create(CultureInfo.InvariantCulture, $"rate-r{round}");

    public static IEnumerable<string> Users(BenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Enumerable.Range(1, options.Rounds).Select(RateUser);
    }

    public static async Task<List<RateLimitResult>> RunAsync(RunContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var results = new List<RateLimitResult>();
        await using var targets = await context.Stack.StartRateLimitTargetsAsync(context.Options.RateLimit, context.Log, context.CancellationToken).ConfigureAwait(false);
        var nginxNodes = targets.Nginx.Sites.Select(NginxServer.UriOf).ToList();
        var gatewayNodes = targets.Gateway.Nodes.Select(n => n.BaseUri).ToList();
        for (var round = 1; round <= context.Options.Rounds; round++)
        {
            foreach (var (name, nodes) in new[] { (NginxName, nginxNodes), (TargetNames.Gateway3, gatewayNodes) })
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                var result = await RunOnceAsync(name, nodes, targets.Limit, RateUser(round), round, context.CancellationToken).ConfigureAwait(false);
                results.Add(result);
                context.Log.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"  round {round} rate-limit {name,-20} limit {result.Limit}: {result.Passed} of {result.Sent} passed, {result.Refused} refused, {result.Other} other"));
            }
        }

        return results;
    }

    private static async Task<RateLimitResult> RunOnceAsync(string name, IReadOnlyList<Uri> nodes, int limit, string user, int round, CancellationToken ct)
    {
        var sent = (nodes.Count + 1) * limit;
        var authorization = LoadGenerator.Basic(user, BenchmarkStack.OtherPassword);
        using var handler = LoadGenerator.CreateHandler(8, null);
        using var client = new HttpClient(handler, disposeHandler: false) { Timeout = TimeSpan.FromSeconds(60) };
        var next = -1;
        int passed = 0, refused = 0, other = 0;

        async Task WorkerAsync()
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) < sent)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(nodes[n % nodes.Count], "/v2/"))
                {
                    Version = HttpVersion.Version11,
                    VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                };
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
                try
                {
                    using var response = await client.SendAsync(request, ct).ConfigureAwait(false);
                    _ = response.StatusCode switch
                    {
                        HttpStatusCode.OK => Interlocked.Increment(ref passed),
                        HttpStatusCode.TooManyRequests => Interlocked.Increment(ref refused),
                        _ => Interlocked.Increment(ref other),
                    };
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref other);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(WorkerAsync, ct))).ConfigureAwait(false);
        return new RateLimitResult(name, round, nodes.Count, limit, sent, passed, refused, other);
    }
}
