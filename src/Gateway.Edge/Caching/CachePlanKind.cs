namespace Gateway.Edge.Caching;

/// <summary>What the cache does with one authorized request.</summary>
public enum CachePlanKind
{
    /// <summary>Nothing: forward it as it is (tags, uploads, blob bodies, conditional and range requests, ...).</summary>
    Pass = 1,

    /// <summary>Answer from memory when an answer is kept, otherwise forward and keep the registry's 200.</summary>
    Lookup,

    /// <summary>A <c>DELETE</c> of a manifest by digest or of a blob: drop its answers on every node.</summary>
    Invalidate,
}
