using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Health;

/// <summary>
/// Checks the cluster and the registry every <see cref="HealthOptions.CheckInterval"/> (every <see cref="RetryInterval"/>
/// while one is failing), both at once, each bounded by <see cref="HealthOptions.CheckTimeout"/>, and records the
/// results in <see cref="DependencyHealth"/>.
/// </summary>
public sealed class DependencyMonitor(DependencyHealth health, ClusterProbe cluster, BackendProbe backend, IOptions<HealthOptions> options, TimeProvider time) : BackgroundService
{
    /// <summary>While a dependency is failing (or at start, before its first success), how often it is checked instead.</summary>
    public static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(250);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.WhenAll(
                    CheckAsync(health.Cluster, cluster.CheckAsync(settings.CheckTimeout, stoppingToken)),
                    CheckAsync(health.Registry, backend.CheckAsync(settings.CheckTimeout, stoppingToken)));

                // A node is ready as soon as its dependencies answer, and notices their return as soon.
                var next = health.Cluster.Up && health.Registry.Up ? settings.CheckInterval : TimeSpan.FromTicks(Math.Min(RetryInterval.Ticks, settings.CheckInterval.Ticks));
                await Task.Delay(next, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task CheckAsync(DependencyStatus status, Task<(bool Succeeded, string Detail)> check)
    {
        var (succeeded, detail) = await check;
        status.Record(succeeded, detail, time.GetUtcNow());
    }
}
