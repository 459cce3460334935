using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Health;

/// <summary>
/// Readiness of one dependency (<c>cluster</c> or <c>registry</c>) from the last background checks, never a call of
/// its own: ready while a check succeeded within <see cref="HealthOptions.UnreadyAfter"/>.
/// </summary>
public sealed class DependencyReadinessCheck(DependencyHealth health, IOptions<HealthOptions> options, TimeProvider time, string dependency) : IHealthCheck
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var available = health[dependency].IsAvailable(time.GetUtcNow(), options.Value.UnreadyAfter, out var detail);
        return Task.FromResult(available ? HealthCheckResult.Healthy(detail) : HealthCheckResult.Unhealthy(detail));
    }
}
