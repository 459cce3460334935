using Gateway.Contracts;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Edge.Health;

/// <summary>Ready only when a grain call answers: the edge can decide requests.</summary>
public sealed class ClusterReadinessCheck(IGrainFactory grains) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var silo = await grains.GetGrain<IHealthGrain>(0).PingAsync().WaitAsync(Timeout, cancellationToken);
            return HealthCheckResult.Healthy($"grain call answered by {silo}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"grain call failed: {ex.GetType().Name}");
        }
    }
}
