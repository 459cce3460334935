namespace Gateway.Edge.Access.Identify;

/// <summary>How the grain's credential cache answered (the span's <c>gateway.auth.cache</c> and <c>gateway_auth_cache_lookups_total{result}</c>).</summary>
public enum CacheResult
{
    /// <summary>No cache involved (tokens, machine accounts, anonymous, locks).</summary>
    None,

    /// <summary>Answered from the cache.</summary>
    Hit,

    /// <summary>Verified on this edge.</summary>
    Miss,

    /// <summary>Waited for a verification of the same credential in flight.</summary>
    Coalesced,

    /// <summary>The same wrong credential again from the same address: refused without a check, not counted again.</summary>
    Repeat,
}

/// <summary>The text of each <see cref="CacheResult"/>.</summary>
public static class CacheResults
{
    /// <summary><c>none</c>, <c>hit</c>, <c>miss</c>, <c>coalesced</c> or <c>repeat</c>.</summary>
    public static string Label(this CacheResult result) => result switch
    {
        CacheResult.Hit => "hit",
        CacheResult.Miss => "miss",
        CacheResult.Coalesced => "coalesced",
        CacheResult.Repeat => "repeat",
        _ => "none",
    };
}
