using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Health;

/// <summary>
/// Checks the cluster and the registry, each in its own loop (a slow one does not delay the other), every
/// <see cref="HealthOptions.CheckInterval"/> (every <see cref="RetryInterval"/> while it fails, so a node is ready as soon
/// as its dependencies answer and notices their return as soon), each check bounded by
/// <see cref="HealthOptions.CheckTimeout"/>, and records the results in <see cref="DependencyHealth"/>.
/// </summary>
public sealed class DependencyMonitor(DependencyHealth health, ClusterProbe cluster, BackendProbe backend, IOptions<HealthOptions> options, TimeProvider time) : BackgroundService
{
    /// <summary>While a dependency is failing (or at start, before its first success), how often it is checked instead.</summary>
    public static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(250);

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        return Task.WhenAll(
            LoopAsync(health.Cluster, ct => cluster.CheckAsync(settings.CheckTimeout, ct), settings, stoppingToken),
            LoopAsync(health.Registry, ct => backend.CheckAsync(settings.CheckTimeout, ct), settings, stoppingToken));
    }

    private async Task LoopAsync(DependencyStatus status, Func<CancellationToken, Task<(bool Succeeded, string Detail)>> check, HealthOptions settings, CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var (succeeded, detail) = await check(stoppingToken);
                status.Record(succeeded, detail, time.GetUtcNow());
                var next = succeeded ? settings.CheckInterval : TimeSpan.FromTicks(Math.Min(RetryInterval.Ticks, settings.CheckInterval.Ticks));
                await Task.Delay(next, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
