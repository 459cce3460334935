using Gateway.Contracts;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Edge.Health;

/// <summary>
/// One check of the cluster: a call to the health grain (a stateless worker: the silo that receives it answers). The
/// grain factory is looked up when a check runs, so an edge hosted without Orleans (tests) starts and reports no cluster.
/// </summary>
public sealed class ClusterProbe(IServiceProvider services)
{
    /// <summary>True with the answering silo, or false with why not.</summary>
    public async Task<(bool Succeeded, string Detail)> CheckAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (services.GetService<IGrainFactory>() is not { } grains)
        {
            return (false, "no Orleans client in this process");
        }

        try
        {
            var silo = await grains.GetGrain<IHealthGrain>(0).PingAsync().WaitAsync(timeout, cancellationToken);
            return (true, $"grain call answered by {silo}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return (false, $"grain call failed: {ex.GetType().Name}");
        }
    }
}
