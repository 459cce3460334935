namespace Gateway.Host.Cluster;

/// <summary>How nodes find each other.</summary>
public enum ClusterProvider
{
    /// <summary>One node, nothing else to run: in-memory state and a random fingerprint secret.</summary>
    Localhost,

    /// <summary>Membership in Redis (Microsoft.Orleans.Clustering.Redis); every node shares the secret.</summary>
    Redis,
}
