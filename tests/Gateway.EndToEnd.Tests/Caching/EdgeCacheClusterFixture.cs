using Gateway.EndToEnd.Tests.DirectAuth;

namespace Gateway.EndToEnd.Tests.Caching;

/// <summary>The direct-auth cluster (real registry 2.8, Redis, two nodes) with the edge cache on.</summary>
public sealed class EdgeCacheClusterFixture : DirectAuthClusterFixture
{
    protected override IReadOnlyDictionary<string, string?> MoreEnvironment { get; } = new Dictionary<string, string?>
    {
        ["Gateway__Cache__Enabled"] = "true",
    };
}
