namespace Gateway.Contracts;

/// <summary>
/// A request that carries no password to check: a Bearer token the gateway issued (token mode) or a refresh-token
/// grant. The grain answers whether the token's holder may go on: revocation, the address block, the rate limits,
/// and for grants the locks.
/// </summary>
[GenerateSerializer, Immutable, Alias("gw.Admission")]
public sealed record Admission
{
    /// <summary>The client's address as the edge resolved it.</summary>
    [Id(0)] public required string ClientAddress { get; init; }

    /// <summary>What the request is, for rate limits.</summary>
    [Id(1)] public RequestKind Kind { get; init; }

    /// <summary>When the presented token was issued: a token issued at or before a revocation is refused.</summary>
    [Id(2)] public required DateTimeOffset TokenIssuedAt { get; init; }

    /// <summary>
    /// True for a grant of new tokens (the refresh grant): then the user's locks refuse it too, as they refuse a
    /// password. False for an access token on <c>/v2/</c>, which a lock imposed after it was issued does not end.
    /// </summary>
    [Id(3)] public bool IsGrant { get; init; }
}
