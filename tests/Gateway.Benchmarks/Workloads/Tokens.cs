using System.Globalization;
using Gateway.Benchmarks.Harness;
using Gateway.Benchmarks.Load;
using Gateway.Benchmarks.Targets;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.Benchmarks.Workloads;

/// <summary>Tokens per second for a cached user, on the gateway targets, once a token endpoint exists.</summary>
public sealed record TokenResult(string Target, int Round, LoadResult Load);

/// <summary>
/// <c>GET /token?service=…&amp;scope=repository:bench/small:pull</c> with Basic credentials of a cached user, with the
/// many-connections count, on every gateway target. Measured only when the repository has
/// <c>src/Gateway.Registry/Tokens</c> and gateway-1 answers <c>/token</c> with something other than 404.
/// </summary>
public static class Tokens
{
    public const string NotBuilt = "not measured: the harness does not configure the gateway's token endpoint yet (Gateway:Token:SigningKey)";

    public const string Path = "/token?service=registry-gateway&scope=repository:bench/small:pull";

    /// <summary>Null when the endpoint exists; otherwise why it is not measured.</summary>
    public static async Task<string?> WhyNotAsync(RunContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!Directory.Exists(System.IO.Path.Combine(GatewayBuild.RepositoryRoot, "src", "Gateway.Registry", "Tokens")))
        {
            return NotBuilt;
        }

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
