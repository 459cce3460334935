using Gateway.Edge.Backend;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Health;

/// <summary>
/// Ready only when at least one registry replica answers <c>GET /v2/</c>. Any HTTP answer counts, a 401
/// included (a registry in token mode); a refused connection or a timeout does not.
/// </summary>
public sealed class BackendReadinessCheck(IHttpClientFactory clients, IOptions<BackendOptions> options) : IHealthCheck
{
    /// <summary>The name of the HTTP client used for probes.</summary>
    public const string ClientName = "gateway-backend-probe";

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var client = clients.CreateClient(ClientName);
        var failures = new List<string>();
        foreach (var url in options.Value.Urls)
        {
            try
            {
                using var response = await client.GetAsync(new Uri(new Uri(url), "/v2/"), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                return HealthCheckResult.Healthy($"registry {url} answered {(int)response.StatusCode}");
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                failures.Add($"{url}: {ex.GetType().Name}");
            }
        }

        return HealthCheckResult.Unhealthy("no registry replica answers: " + string.Join("; ", failures));
    }
}
