namespace Gateway.Grains.Tests;

/// <summary>
/// One test cluster (two silos, fake time) for every grain test class: starting one takes seconds, and each test
/// uses grains of its own (new user names and addresses), so they share it. The shared clock only moves forward.
/// </summary>
[CollectionDefinition(Name)]
public sealed class GrainCluster : ICollectionFixture<ClusterFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "grain cluster";
}
