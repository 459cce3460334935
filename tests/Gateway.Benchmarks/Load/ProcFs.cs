using System.Globalization;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.Benchmarks.Load;

/// <summary>CPU time and resident memory of processes, read from /proc.</summary>
public static class ProcFs
{
    /// <summary>USER_HZ: the unit of utime/stime in /proc/PID/stat (100 on Linux x86-64 and arm64).</summary>
    public const double TicksPerSecond = 100;

    /// <summary>Every live process of the given process groups (a server and the workers it forked).</summary>
    public static IReadOnlyList<int> Processes(IEnumerable<ManagedProcess> leaders) =>
        [.. leaders.Where(l => !l.HasExited).SelectMany(l => ProcessTable.InGroup(l.Pid)).Distinct()];

    /// <summary>utime + stime of one process in seconds; null when it is gone.</summary>
    public static double? CpuSeconds(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText(Path.Combine("/proc", pid.ToString(CultureInfo.InvariantCulture), "stat"));
        }
        catch (IOException)
        {
            return null;
        }

        // "pid (comm) state ppid …": fields after the command; utime and stime are fields 14 and 15 (1-based).
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }

    /// <summary>The summed CPU seconds of <paramref name="pids"/> (gone processes count 0).</summary>
    public static double CpuSeconds(IEnumerable<int> pids) => pids.Sum(p => CpuSeconds(p) ?? 0);

    /// <summary>CPU seconds of this process (the load generator and the harness).</summary>
    public static double OwnCpuSeconds() => CpuSeconds(Environment.ProcessId) ?? 0;

    /// <summary>The command name of one process (<c>/proc/PID/comm</c>: "nginx", "Gateway.Host"); null when it is gone.</summary>
    public static string? Name(int pid)
    {
        try
        {
            return File.ReadAllText(Path.Combine("/proc", pid.ToString(CultureInfo.InvariantCulture), "comm")).Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>VmRSS of one process in bytes; null when it is gone.</summary>
    public static long? ResidentBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines(Path.Combine("/proc", pid.ToString(CultureInfo.InvariantCulture), "status")))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var kib = line["VmRSS:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kib, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }
}

/// <summary>CPU seconds of the three parties of a run: the target's proxy processes, the registry, and this process.</summary>
public sealed class CpuMeter
{
    private readonly IReadOnlyList<int> _proxy;
    private readonly IReadOnlyList<int> _registry;
    private readonly double _proxyIdleCores;
    private (double Proxy, double Registry, double Client, long Timestamp) _start;

    /// <param name="proxy">The target's processes.</param>
    /// <param name="registry">The registry's processes.</param>
    /// <param name="proxyIdleCores">What the target's processes use when nothing is sent (timers, health checks), in cores.</param>
    public CpuMeter(IReadOnlyList<int> proxy, IReadOnlyList<int> registry, double proxyIdleCores = 0)
    {
        _proxy = proxy;
        _registry = registry;
        _proxyIdleCores = proxyIdleCores;
    }

    public void Start() => _start = Read();

    /// <summary>CPU seconds used since <see cref="Start"/>, and the wall time.</summary>
    public CpuUsage Stop()
    {
        var end = Read();
        return new CpuUsage(
            end.Proxy - _start.Proxy,
            end.Registry - _start.Registry,
            end.Client - _start.Client,
            System.Diagnostics.Stopwatch.GetElapsedTime(_start.Timestamp, end.Timestamp),
            _proxyIdleCores);
    }

    private (double Proxy, double Registry, double Client, long Timestamp) Read() =>
        (ProcFs.CpuSeconds(_proxy), ProcFs.CpuSeconds(_registry), ProcFs.OwnCpuSeconds(), System.Diagnostics.Stopwatch.GetTimestamp());
}

/// <summary>CPU seconds used during a measured window.</summary>
/// <param name="Proxy">The target's processes.</param>
/// <param name="Registry">The registry.</param>
/// <param name="Client">This process: the load generator.</param>
/// <param name="Wall">The window.</param>
/// <param name="ProxyIdleCores">What the target's processes use when idle, in cores (measured before the rounds).</param>
public sealed record CpuUsage(double Proxy, double Registry, double Client, TimeSpan Wall, double ProxyIdleCores = 0)
{
    /// <summary>Proxy CPU seconds net of what the target uses when idle (its timers, probes, health checks): the work the load caused.</summary>
    public double ProxyNet => Math.Max(0, Proxy - (ProxyIdleCores * Wall.TotalSeconds));

    /// <summary>Average cores busy, over all three.</summary>
    public double Cores => Wall > TimeSpan.Zero ? (Proxy + Registry + Client) / Wall.TotalSeconds : 0;
}

/// <summary>Samples VmRSS of a set of processes in the background; peak per process and peak of the sum.</summary>
public sealed class RssSampler : IAsyncDisposable
{
    private readonly IReadOnlyList<int> _pids;
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<int, long> _peaks = [];
    private readonly Dictionary<int, string> _names;
    private readonly Task _loop;
    private long _peakSum;

    private RssSampler(IReadOnlyList<int> pids, TimeSpan interval)
    {
        _pids = pids;
        Idle = pids.ToDictionary(p => p, p => ProcFs.ResidentBytes(p) ?? 0);
        _names = pids.ToDictionary(p => p, p => ProcFs.Name(p) ?? "?");
        IdleSum = Idle.Values.Sum();
        Sample();
        _loop = LoopAsync(interval);
    }

    /// <summary>VmRSS of each process when sampling started.</summary>
    public IReadOnlyDictionary<int, long> Idle { get; }

    public long IdleSum { get; }

    public static RssSampler Start(IReadOnlyList<int> pids, TimeSpan? interval = null) => new(pids, interval ?? TimeSpan.FromMilliseconds(50));

    /// <summary>Stops sampling; the peaks so far.</summary>
    public async Task<RssPeaks> StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        lock (_peaks)
        {
            var growth = _pids.Count == 0 ? 0 : _pids.Max(p => _peaks.GetValueOrDefault(p) - Idle.GetValueOrDefault(p));
            return new RssPeaks(IdleSum, _peakSum, Math.Max(0, growth))
            {
                Processes = [.. _pids.Select(p => new ProcessRss(p, _names.GetValueOrDefault(p, "?"), Idle.GetValueOrDefault(p), _peaks.GetValueOrDefault(p)))],
            };
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private async Task LoopAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                Sample();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Sample()
    {
        long sum = 0;
        lock (_peaks)
        {
            foreach (var pid in _pids)
            {
                var rss = ProcFs.ResidentBytes(pid) ?? 0;
                sum += rss;
                _peaks[pid] = Math.Max(_peaks.GetValueOrDefault(pid), rss);
            }

            _peakSum = Math.Max(_peakSum, sum);
        }
    }
}

/// <param name="IdleSum">Summed VmRSS before the transfer.</param>
/// <param name="PeakSum">Highest summed VmRSS seen.</param>
/// <param name="MaxProcessGrowth">The largest growth of one process over its own idle VmRSS.</param>
public sealed record RssPeaks(long IdleSum, long PeakSum, long MaxProcessGrowth)
{
    /// <summary>Each sampled process: its idle and peak VmRSS.</summary>
    public IReadOnlyList<ProcessRss> Processes { get; init; } = [];
}

/// <summary>One sampled process: VmRSS when sampling started and the highest seen.</summary>
public sealed record ProcessRss(int Pid, string Name, long Idle, long Peak)
{
    public long Growth => Math.Max(0, Peak - Idle);
}
