namespace Gateway.Edge.Caching;

/// <summary>What a cached answer is about: the two content-addressed kinds the registry answers immutably.</summary>
public enum CachedResource
{
    /// <summary>A manifest fetched by digest (<c>GET</c> and <c>HEAD</c>).</summary>
    Manifest = 1,

    /// <summary>A blob's existence (<c>HEAD</c> only; blob bodies stream from the registry).</summary>
    Blob,
}
