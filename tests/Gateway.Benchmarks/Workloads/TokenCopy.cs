using System.Diagnostics;
using System.Globalization;
using Gateway.Benchmarks.Harness;
using Gateway.Benchmarks.Targets;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.Benchmarks.Workloads;

/// <summary>One <c>skopeo copy</c> of a small image to a gateway node in one authentication mode.</summary>
public sealed record TokenCopyResult(string Mode, int Round, TimeSpan? Elapsed, string? Error);

/// <summary>
/// The end-to-end time of a <c>skopeo copy</c> of a small image (three fresh random layers, 4 KiB + 64 KiB + 1 MiB)
/// through gateway-1 (basic mode) and through a second node of the same build in token mode (Bearer challenge, a token
/// from its <c>/token</c>, the token validated and admitted by the user's grain), alternating, each copy with a fresh
/// skopeo auth file so each one logs in (and, in token mode, fetches its tokens) as a CI job does.
/// </summary>
public static class TokenCopy
{
    private static readonly long[] Layers = [4096, 64 * 1024, 1024 * 1024];

    public static async Task<List<TokenCopyResult>> RunAsync(RunContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var stack = context.Stack;
        var basic = stack.Targets.First(t => t.Name == TargetNames.Gateway1);
        var template = stack.GatewayTemplate().WithTls(stack.Pki);
        var environment = new Dictionary<string, string?>(template.Environment) { ["Gateway__Auth__Mode"] = "token" };
        await using var tokenNode = await GatewayNode.StartAsync(template with { Environment = environment }).ConfigureAwait(false);
        var hosts = new[] { ("basic", basic.HostPort), ("token", tokenNode.HostPort) };
        var copiesPerRound = context.Options.Quick ? 2 : 5;

        // Unmeasured: each node's first copy (JIT, connections, the credential cache's first bcrypt).
        foreach (var (mode, host) in hosts)
        {
            await CopyOnceAsync(context, mode, host, 0, -1).ConfigureAwait(false);
        }

        var results = new List<TokenCopyResult>();
        for (var round = 1; round <= context.Options.Rounds; round++)
        {
            for (var copy = 0; copy < copiesPerRound; copy++)
            {
                foreach (var (mode, host) in hosts)
                {
                    var result = await CopyOnceAsync(context, mode, host, round, copy).ConfigureAwait(false);
                    results.Add(result);
                }
            }

            foreach (var (mode, _) in hosts)
            {
                var times = results.Where(r => r.Round == round && r.Mode == mode && r.Elapsed is not null).Select(r => r.Elapsed!.Value.TotalSeconds).ToList();
                context.Log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  round {round} token-copy {mode,-6} median {(times.Count > 0 ? Stats.Median(times) : double.NaN):0.000} s over {times.Count} copies"));
            }
        }

        return results;
    }

    private static async Task<TokenCopyResult> CopyOnceAsync(RunContext context, string mode, string host, int round, int copy)
    {
        var work = context.Stack.Temp.CreateSubdirectory($"token-copy-{mode}-{round}-{copy + 1}");
        try
        {
            var image = await TestImages.CreateOciLayoutAsync(Path.Combine(work, "source"), "v1", Layers).ConfigureAwait(false);
            var skopeo = Skopeo.Create(context.Stack.Temp);
            var access = new SkopeoAccess(BenchmarkStack.User, BenchmarkStack.Password, context.Stack.Pki.CertDirectory);
            var watch = Stopwatch.StartNew();
            var result = await skopeo.CopyAsync(image.Reference, $"docker://{host}/bench/copy-{mode}:r{round}-{copy + 1}", access, "--preserve-digests").ConfigureAwait(false);
            var elapsed = watch.Elapsed;
            return result.Succeeded
                ? new TokenCopyResult(mode, round, elapsed, null)
                : new TokenCopyResult(mode, round, null, result.StandardError.Trim().Split('\n')[^1]);
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
