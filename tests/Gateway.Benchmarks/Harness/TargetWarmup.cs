using Gateway.Benchmarks.Load;
using Gateway.Benchmarks.Targets;

namespace Gateway.Benchmarks.Harness;

/// <summary>
/// Before anything is measured: every target answers a few authenticated requests on pooled and on new connections,
/// so JIT compilation, the first TLS handshakes and the gateway's first bcrypt of the benchmark user (then cached)
/// happen here and not inside a measured window.
/// </summary>
public static class TargetWarmup
{
    public static async Task RunAsync(RunContext context, IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(paths);
        var authorization = LoadGenerator.Basic(BenchmarkStack.User, BenchmarkStack.Password);
        var list = paths.ToList();
        foreach (var target in context.Stack.Targets)
        {
            for (var i = 0; i < 3; i++)
            {
                await LoadGenerator.SendOnceAsync(new Uri(target.BaseUri, "/v2/"), authorization, null, TimeSpan.FromSeconds(60), context.CancellationToken).ConfigureAwait(false);
            }

            foreach (var path in list)
            {
                await LoadGenerator.RunAsync(
                    new LoadSpec
                    {
                        Url = new Uri(target.BaseUri, path),
                        Accept = Gateway.EndToEnd.Tests.Infrastructure.TestImages.ManifestMediaType,
                        Authorization = _ => authorization,
                        Connections = 2,
                        Warmup = TimeSpan.Zero,
                        Duration = TimeSpan.Zero,
                        MaxRequests = 20,
                        ExpectedStatus = null,
                        EndWhen = () => Task.Delay(TimeSpan.FromSeconds(0.3), context.CancellationToken),
                    },
                    null,
                    context.CancellationToken).ConfigureAwait(false);
            }
        }
    }
}
