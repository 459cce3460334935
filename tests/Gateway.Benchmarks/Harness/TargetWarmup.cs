using Gateway.Benchmarks.Load;
using Gateway.Benchmarks.Targets;

namespace Gateway.Benchmarks.Harness;

/// <summary>
/// Before anything is measured: every target answers a few authenticated requests on pooled and on new connections,
/// so the first TLS handshakes and the gateway's first bcrypt of the benchmark user (then cached) happen here and not
/// inside a measured window. The gateway targets then get a few seconds of steady load on every path: .NET compiles
/// hot methods again with full optimisation (tiered compilation) only after they ran for a while, and a gateway in
/// production runs for days, so its steady state, not its first seconds, is what is compared with nginx.
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

            if (!target.IsGateway)
            {
                continue;
            }

            for (var round = 0; round < 2; round++)
            {
                foreach (var path in list.Prepend("/v2/"))
                {
                    await LoadGenerator.RunAsync(
                        new LoadSpec
                        {
                            Url = new Uri(target.BaseUri, path),
                            Accept = Gateway.EndToEnd.Tests.Infrastructure.TestImages.ManifestMediaType,
                            Authorization = _ => authorization,
                            Connections = 8,
                            Warmup = TimeSpan.Zero,
                            Duration = TimeSpan.FromSeconds(context.Options.Quick ? 0.2 : 2),
                            ExpectedStatus = null,
                        },
                        null,
                        context.CancellationToken).ConfigureAwait(false);
                }
            }
        }
    }
}
