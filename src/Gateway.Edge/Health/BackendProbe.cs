using Gateway.Edge.Backend;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Health;

/// <summary>
/// One check of the registry: the replicas are asked <c>GET /v2/</c> at once; any HTTP answer counts, a 401 included
/// (a registry in token mode); a refused connection or a timeout does not.
/// </summary>
public sealed class BackendProbe(IHttpClientFactory clients, IOptions<BackendOptions> options)
{
    /// <summary>The name of the HTTP client used for probes.</summary>
    public const string ClientName = "gateway-backend-probe";

    /// <summary>True when a replica answered, or false with what each replica did.</summary>
    public async Task<(bool Succeeded, string Detail)> CheckAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var client = clients.CreateClient(ClientName);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        var probes = options.Value.Urls.Select(url => ProbeAsync(client, url, bounded.Token)).ToList();
        var results = await Task.WhenAll(probes);
        var answered = results.FirstOrDefault(r => r.Succeeded);
        return answered.Succeeded
            ? (true, answered.Detail)
            : (false, "no registry replica answers: " + string.Join("; ", results.Select(r => r.Detail)));
    }

    private static async Task<(bool Succeeded, string Detail)> ProbeAsync(HttpClient client, string url, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await client.GetAsync(new Uri(new Uri(url), "/v2/"), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return (true, $"registry {url} answered {(int)response.StatusCode}");
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            return (false, $"{url}: {ex.GetType().Name}");
        }
    }
}
