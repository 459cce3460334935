using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Host.Shutdown;

/// <summary>Not ready while draining, so the load balancer stops sending new work.</summary>
public sealed class DrainReadinessCheck(DrainState state) : IHealthCheck
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(state.IsDraining ? HealthCheckResult.Unhealthy("draining: shutting down") : HealthCheckResult.Healthy());
}
