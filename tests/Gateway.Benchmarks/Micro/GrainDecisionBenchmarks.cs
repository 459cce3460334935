using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Gateway.Contracts;
using Gateway.Grains;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Gateway.Benchmarks.Micro;

/// <summary>
/// A grain decision: <see cref="IUserGrain.CheckAsync"/> answered from the user grain's credential cache, in an
/// in-process Orleans cluster of one silo (memory grain storage <c>gateway</c>, the system <see cref="GrainClock"/>),
/// called as an edge in role <c>all</c> calls it (the silo's own grain factory) and as an Orleans client does
/// (the cluster client: one more hop through the client's messaging, in memory here).
/// </summary>
[MemoryDiagnoser]
public class GrainDecisionBenchmarks
{
    private InProcessTestCluster _cluster = null!;
    private IUserGrain _local = null!;
    private IUserGrain _viaClient = null!;
    private CredentialCheck _check = null!;

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => CleanupAsync().GetAwaiter().GetResult();

    /// <summary>Starts the silo and puts one verified credential into a user grain's cache.</summary>
    public async Task SetupAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage(GrainStorage.Name);
            silo.Services.AddSingleton(GrainClock.System);
            silo.Services.AddSingleton<Gateway.Grains.Retention.IStateSweepIndex, Gateway.Grains.Retention.MemoryStateSweepIndex>();
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync().ConfigureAwait(false);

        var factory = _cluster.Silos[0].ServiceProvider.GetRequiredService<IGrainFactory>();
        _local = factory.GetGrain<IUserGrain>("ci-robot");
        _viaClient = _cluster.Client.GetGrain<IUserGrain>("ci-robot");
        _check = new CredentialCheck { Fingerprint = RandomNumberGenerator.GetBytes(32), ClientAddress = "203.0.113.7", Kind = RequestKind.ManifestHead };

        var first = await _local.CheckAsync(_check).ConfigureAwait(false);
        if (first.Outcome == CredentialOutcome.VerifyRequired)
        {
            await _local.ReportAsync(new VerificationReport
            {
                Ticket = first.Ticket,
                Fingerprint = _check.Fingerprint,
                Result = VerificationResult.Succeeded,
                CacheFor = TimeSpan.FromHours(1),
                ClientAddress = _check.ClientAddress,
                Kind = _check.Kind,
            }).ConfigureAwait(false);
        }

        var hit = await _local.CheckAsync(_check).ConfigureAwait(false);
        if (!hit.CacheHit || hit.Outcome != CredentialOutcome.Allowed)
        {
            throw new InvalidOperationException($"expected a cache hit, got {hit.Outcome} (cache hit: {hit.CacheHit})");
        }
    }

    public async Task CleanupAsync()
    {
        await _cluster.StopAllSilosAsync().ConfigureAwait(false);
        await _cluster.DisposeAsync().ConfigureAwait(false);
    }

    [Benchmark(Baseline = true, Description = "CheckAsync cache hit, silo-local (role all)")]
    public Task<CredentialDecision> CacheHitLocal() => _local.CheckAsync(_check);

    [Benchmark(Description = "CheckAsync cache hit, via cluster client (role edge)")]
    public Task<CredentialDecision> CacheHitViaClient() => _viaClient.CheckAsync(_check);
}
