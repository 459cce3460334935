namespace Gateway.Edge.Access.Identify.Federation;

/// <summary>Whether a token's key is among its issuer's published keys, as this edge knows them now.</summary>
public enum KeyState
{
    /// <summary>Not looked up: the token names no trusted issuer or maps to no account.</summary>
    NotLookedUp,

    /// <summary>Published (the keys were fetched, after a refetch for an unknown kid when one was allowed).</summary>
    Published,

    /// <summary>The issuer's current keys lack it: withdrawn at a rotation, or never the issuer's.</summary>
    Unpublished,

    /// <summary>The issuer's keys cannot be had now (an outage before any fetch succeeded).</summary>
    Unknowable,
}
