namespace Gateway.Grains;

/// <summary>When a presented token counts as revoked.</summary>
internal static class TokenRevocation
{
    /// <summary>
    /// True when the token was issued at or before the revocation. Tokens carry whole seconds, so a token issued in the
    /// revocation's second is refused too (the client logs in again); never one issued before it is accepted.
    /// </summary>
    public static bool IsRevoked(DateTimeOffset tokenIssuedAt, DateTimeOffset? revokedAt) =>
        revokedAt is { } at && tokenIssuedAt.ToUnixTimeSeconds() <= at.ToUnixTimeSeconds();
}
