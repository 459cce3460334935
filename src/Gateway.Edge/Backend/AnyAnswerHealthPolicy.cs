using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Gateway.Edge.Backend;

/// <summary>
/// A replica is healthy when it answers <c>GET /v2/</c> with any HTTP status below 500: a registry in
/// token mode answers 401, which still proves it is up. No answer or a 5xx marks it unhealthy.
/// </summary>
public sealed class AnyAnswerHealthPolicy(IDestinationHealthUpdater updater) : IActiveHealthCheckPolicy
{
    /// <summary>The policy's name in the cluster config.</summary>
    public const string PolicyName = "AnyAnswer";

    /// <inheritdoc />
    public string Name => PolicyName;

    /// <inheritdoc />
    public void ProbingCompleted(ClusterState cluster, IReadOnlyList<DestinationProbingResult> probingResults)
    {
        if (probingResults.Count == 0)
        {
            return;
        }

        var results = new NewActiveDestinationHealth[probingResults.Count];
        for (var i = 0; i < probingResults.Count; i++)
        {
            var response = probingResults[i].Response;
            var healthy = response is not null && (int)response.StatusCode < 500;
            results[i] = new NewActiveDestinationHealth(probingResults[i].Destination, healthy ? DestinationHealth.Healthy : DestinationHealth.Unhealthy);
        }

        updater.SetActive(cluster, results);
    }
}
