using System.Globalization;
using Gateway.Benchmarks.Harness;
using Gateway.Benchmarks.Load;
using Gateway.Benchmarks.Targets;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.Benchmarks.Workloads;

/// <summary>Tokens per second for a cached user, on one gateway target in one round.</summary>
public sealed record TokenResult(string Target, int Round, LoadResult Load);

/// <summary>What one bcrypt verification costs here, at a cost factor: docker_auth runs one per token request.</summary>
public sealed record BcryptCost(int Cost, double MedianMilliseconds, int Samples);

/// <summary>
/// <c>GET /token?service=…&amp;scope=repository:bench/small:pull</c> with Basic credentials of a cached user, with the
/// many-connections count, on every gateway target; and the cost of one bcrypt verification at cost 5 (docker_auth's
/// documented <c>htpasswd -B</c> hashes) and 10 (Go's <c>bcrypt.DefaultCost</c>), which docker_auth pays on every
/// token request: its ceiling is one token per bcrypt per core.
/// </summary>
public static class Tokens
{
    public const string NotBuilt = "not measured: the gateway does not serve its token endpoint (Gateway:Token:SigningKey)";

    public const string Path = "/token?service=" + BenchmarkStack.TokenService + "&scope=repository:bench/small:pull";

    /// <summary>
    /// The median time of one bcrypt verification (BCrypt.Net-Next, the gateway's own; Go's x/crypto/bcrypt, which
    /// docker_auth uses, is of the same order) at each cost.
    /// </summary>
    public static List<BcryptCost> MeasureBcrypt(params int[] costs)
    {
        var results = new List<BcryptCost>();
        foreach (var cost in costs)
        {
            var hash = BCrypt.Net.BCrypt.HashPassword("benchmark-password", cost);
            var samples = cost <= 6 ? 41 : 9;
            BCrypt.Net.BCrypt.Verify("benchmark-password", hash); // warm-up
            var times = new List<double>(samples);
            for (var i = 0; i < samples; i++)
            {
                var watch = System.Diagnostics.Stopwatch.StartNew();
                BCrypt.Net.BCrypt.Verify("benchmark-password", hash);
                times.Add(watch.Elapsed.TotalMilliseconds);
            }

            results.Add(new BcryptCost(cost, Stats.Median(times), samples));
        }

        return results;
    }

    /// <summary>Null when the endpoint exists; otherwise why it is not measured.</summary>
    public static async Task<string?> WhyNotAsync(RunContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var gateway = context.Stack.Targets.FirstOrDefault(t => t.IsGateway);
        if (gateway is null)
        {
            return "not measured: no gateway target in this run";
        }

        var (_, status) = await LoadGenerator.SendOnceAsync(
            new Uri(gateway.BaseUri, Path), LoadGenerator.Basic(BenchmarkStack.User, BenchmarkStack.Password), null, TimeSpan.FromSeconds(30), context.CancellationToken).ConfigureAwait(false);
        return status is 404 or -1 ? NotBuilt + string.Create(CultureInfo.InvariantCulture, $" (GET /token answered {status})") : null;
    }

    public static async Task<List<TokenResult>> RunAsync(RunContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var results = new List<TokenResult>();
        var authorization = LoadGenerator.Basic(BenchmarkStack.User, BenchmarkStack.Password);
        for (var round = 1; round <= context.Options.Rounds; round++)
        {
            foreach (var target in context.Stack.Targets.Where(t => t.IsGateway))
            {
                await context.SettleAsync().ConfigureAwait(false);
                var load = await LoadGenerator.RunAsync(
                    new LoadSpec
                    {
                        Url = new Uri(target.BaseUri, Path),
                        Authorization = _ => authorization,
                        Connections = context.Options.Connections,
                        Warmup = TimeSpan.FromSeconds(context.Options.WarmupSeconds),
                        Duration = TimeSpan.FromSeconds(context.Options.Seconds),
                    },
                    context.CpuMeterFor(target),
                    context.CancellationToken).ConfigureAwait(false);
                results.Add(new TokenResult(target.Name, round, load));
                context.Log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  round {round} tokens {target.Name,-16} {load.RequestsPerSecond,9:0.0} tokens/s ({load.StatusSummary})"));
            }
        }

        return results;
    }
}
