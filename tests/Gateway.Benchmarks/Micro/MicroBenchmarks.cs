using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

namespace Gateway.Benchmarks.Micro;

/// <summary>
/// <c>micro</c>: the hot path's pieces under BenchmarkDotNet, in this process (in-process toolchain: no generated
/// project to build), with allocations (<c>[MemoryDiagnoser]</c>). Arguments go to BenchmarkDotNet
/// (<c>--filter *Fingerprint*</c>, <c>--job short|medium|long</c>…); without <c>--filter</c> every benchmark runs,
/// without <c>--job</c> the short job (3 warm-ups, 3 iterations).
/// Results also land in bin/…/BenchmarkDotNet.Artifacts.
/// </summary>
public static class MicroBenchmarks
{
    public static int Run(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var arguments = args.ToList();
        if (!args.Contains("--filter"))
        {
            arguments.AddRange(["--filter", "*"]);
        }

        if (!args.Contains("--job"))
        {
            arguments.AddRange(["--job", "short"]);
        }

        if (!args.Contains("--inProcess"))
        {
            arguments.Add("--inProcess");
        }

        var config = DefaultConfig.Instance
            .WithArtifactsPath(Path.Combine(AppContext.BaseDirectory, "BenchmarkDotNet.Artifacts"));
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(MicroBenchmarks).Assembly).Run([.. arguments], config);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
