using Gateway.Benchmarks.Micro;
using Gateway.Contracts;

namespace Gateway.Benchmarks.Tests;

/// <summary>Each microbenchmark once, outside BenchmarkDotNet: they still compile, set up and measure what they say.</summary>
public sealed class MicroBenchmarkSmokeTests
{
    [Fact]
    public void HotPathBenchmarks_ComputeTheirResults()
    {
        var scopes = new RequestToScopesBenchmarks();
        Assert.Equal(0, scopes.Ping());
        Assert.Equal(1, scopes.ManifestHead());
        Assert.Equal(1, scopes.BlobHead());
        Assert.Equal(2, scopes.MountUpload());
        var header = new BasicHeaderBenchmarks();
        Assert.Equal("ci-robot", header.Valid()?.UserName);
        Assert.NotEqual(Gateway.Registry.Credentials.CredentialParseStatus.Ok, header.Malformed());
        Assert.Equal(32, new FingerprintBenchmarks().Compute().Length);
    }

    [Fact]
    public async Task GrainDecisionBenchmark_AnswersFromTheCache()
    {
        var grain = new GrainDecisionBenchmarks();
        await grain.SetupAsync();
        try
        {
            var local = await grain.CacheHitLocal();
            var remote = await grain.CacheHitViaClient();
            Assert.True(local.CacheHit && local.Outcome == CredentialOutcome.Allowed, $"{local.Outcome}");
            Assert.True(remote.CacheHit && remote.Outcome == CredentialOutcome.Allowed, $"{remote.Outcome}");
        }
        finally
        {
            await grain.CleanupAsync();
        }
    }
}
