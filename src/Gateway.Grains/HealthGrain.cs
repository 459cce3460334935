using Gateway.Contracts;
using Orleans.Concurrency;

namespace Gateway.Grains;

/// <summary>Answers readiness probes; a stateless worker, so any silo serves it locally.</summary>
[StatelessWorker]
public sealed class HealthGrain : Grain, IHealthGrain
{
    /// <inheritdoc />
    public Task<string> PingAsync() => Task.FromResult(RuntimeIdentity);
}
