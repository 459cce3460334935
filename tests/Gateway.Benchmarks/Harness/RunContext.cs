using System.Diagnostics;
using Gateway.Benchmarks.Load;
using Gateway.Benchmarks.Targets;

namespace Gateway.Benchmarks.Harness;

/// <summary>What every workload needs: the options, the running stack, a progress log, cancellation.</summary>
public sealed class RunContext(BenchmarkOptions options, BenchmarkStack stack, TextWriter log, CancellationToken cancellationToken)
{
    public BenchmarkOptions Options { get; } = options;

    public BenchmarkStack Stack { get; } = stack;

    public TextWriter Log { get; } = log;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>CPU each target's processes use while nothing is sent to it, in cores, by target name.</summary>
    public Dictionary<string, double> IdleProxyCores { get; } = [];

    /// <summary>A CPU meter for a target: its proxy processes, the registry, and this process.</summary>
    public CpuMeter CpuMeterFor(Target target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return new CpuMeter(target.ProxyPids(), Stack.RegistryPids(), IdleProxyCores.GetValueOrDefault(target.Name));
    }

    /// <summary>
    /// Measures what each target's processes use when nothing is sent (Orleans membership probes, HAProxy's health
    /// checks, the registry probes, timers), so CPU per request is counted net of it: the least of a few half-second
    /// windows, after the target has settled (a burst of background JIT compilation after the warm-up is not idle use).
    /// </summary>
    public async Task MeasureIdleAsync()
    {
        var windows = Options.Quick ? 2 : 4;
        foreach (var target in Stack.Targets.Where(t => t.ProxyProcesses.Count > 0))
        {
            await SettleAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            var pids = target.ProxyPids();
            var least = double.MaxValue;
            for (var i = 0; i < windows; i++)
            {
                var before = ProcFs.CpuSeconds(pids);
                var watch = Stopwatch.StartNew();
                await Task.Delay(TimeSpan.FromSeconds(0.5), CancellationToken).ConfigureAwait(false);
                least = Math.Min(least, Math.Max(0, (ProcFs.CpuSeconds(pids) - before) / watch.Elapsed.TotalSeconds));
            }

            IdleProxyCores[target.Name] = least;
        }
    }

    /// <summary>
    /// Waits until the stack's processes are nearly idle (below 0.1 core over 250 ms, beyond the targets' own idle use) or <paramref name="limit"/>
    /// passes, so one run's leftovers (a flood's queued bcrypts) do not land on the next target's run.
    /// </summary>
    public async Task SettleAsync(TimeSpan? limit = null)
    {
        var pids = Stack.AllPids();
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < (limit ?? TimeSpan.FromSeconds(Options.Quick ? 1 : 3)))
        {
            var before = ProcFs.CpuSeconds(pids);
            await Task.Delay(250, CancellationToken).ConfigureAwait(false);
            if ((ProcFs.CpuSeconds(pids) - before) / 0.25 < 0.1 + IdleProxyCores.Values.Sum())
            {
                return;
            }
        }
    }
}
