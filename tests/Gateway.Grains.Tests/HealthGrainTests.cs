using Gateway.Contracts;

namespace Gateway.Grains.Tests;

[Collection(GrainCluster.Name)]
public sealed class HealthGrainTests(ClusterFixture fixture)
{
    [Fact]
    public async Task PingAsync_AnyCaller_AnswersWithTheAddressOfASiloInTheCluster()
    {
        var silos = fixture.Cluster.Silos.Select(s => s.SiloAddress.ToString()).ToHashSet();

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => fixture.Client.GetGrain<IHealthGrain>(i).PingAsync()));

        Assert.Equal(2, silos.Count);
        Assert.All(answers, a => Assert.Contains(a, silos));
    }
}
