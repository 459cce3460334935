using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.Benchmarks.Ldap;

/// <summary>
/// The requests of the LDAP benchmark: <c>GET /v2/</c> with Basic credentials (USER / USER-pw) through the nodes of a
/// cluster, each timed. A workload, a sequential latency series, and one timed request.
/// </summary>
internal static class LdapRequests
{
    /// <summary>One answered request: its status and how long the client waited (ms).</summary>
    internal readonly record struct Timed(int Status, double Milliseconds);

    /// <summary>
    /// <paramref name="users"/> × <paramref name="rounds"/> requests over the nodes, <paramref name="concurrency"/> at a
    /// time: round after round, each user's request on another node (user i, round r → node (i + r) mod nodes), so the
    /// first round races on a cold cache. Answers every request's result and the elapsed time.
    /// </summary>
    public static async Task<(List<Timed> Results, TimeSpan Elapsed)> WorkloadAsync(IReadOnlyList<HttpClient> nodes, IReadOnlyList<string> users, int rounds, int concurrency)
    {
        var results = new List<Timed>(users.Count * rounds);
        var watch = Stopwatch.StartNew();
        for (var round = 0; round < rounds; round++)
        {
            for (var batch = 0; batch < users.Count; batch += concurrency)
            {
                var r = round;
                results.AddRange(await Task.WhenAll(Enumerable.Range(batch, Math.Min(concurrency, users.Count - batch))
                    .Select(i => SendAsync(nodes[(i + r) % nodes.Count], users[i]))).ConfigureAwait(false));
            }
        }

        return (results, watch.Elapsed);
    }

    /// <summary>Each user's first request, then <paramref name="repeats"/> more, one at a time (nothing else in flight), over the nodes.</summary>
    public static async Task<(List<double> First, List<double> Later)> SeriesAsync(IReadOnlyList<HttpClient> nodes, IReadOnlyList<string> users, int repeats)
    {
        var first = new List<double>();
        var later = new List<double>();
        for (var i = 0; i < users.Count; i++)
        {
            first.Add(Ok(await SendAsync(nodes[i % nodes.Count], users[i]).ConfigureAwait(false), users[i]));
            for (var n = 0; n < repeats; n++)
            {
                later.Add(Ok(await SendAsync(nodes[(i + n + 1) % nodes.Count], users[i]).ConfigureAwait(false), users[i]));
            }
        }

        return (first, later);
    }

    /// <summary><c>GET /v2/</c> as <paramref name="user"/> (password USER-pw), timed.</summary>
    public static async Task<Timed> SendAsync(HttpClient client, string user)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/")
        {
            Headers = { Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{user}-pw"))) },
        };
        var watch = Stopwatch.StartNew();
        using var response = await client.SendAsync(request).ConfigureAwait(false);
        return new Timed((int)response.StatusCode, watch.Elapsed.TotalMilliseconds);
    }

    /// <summary>Repeats <see cref="SendAsync"/> every 100 ms until it answers 200; the time from the call to that answer (bounded).</summary>
    public static async Task<TimeSpan> UntilOkAsync(HttpClient client, string user, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < limit)
        {
            if ((await SendAsync(client, user).ConfigureAwait(false)).Status == 200)
            {
                return watch.Elapsed;
            }

            await Task.Delay(100).ConfigureAwait(false);
        }

        throw new TimeoutException($"{user} did not get 200 within {limit}");
    }

    private static double Ok(Timed result, string user) =>
        result.Status == 200 ? result.Milliseconds : throw new InvalidOperationException($"{user}: {result.Status}");

    /// <summary>The users USER00… of a prefix.</summary>
    public static List<string> Users(string prefix, int count) => [.. Enumerable.Range(0, count).Select(i => $"{prefix}{i:00}")];

    /// <summary>One client per node.</summary>
    public static HttpClient[] Clients(GatewayCluster cluster) => [.. cluster.Nodes.Select(n => n.CreateClient())];
}
