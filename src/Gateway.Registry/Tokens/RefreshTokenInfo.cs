namespace Gateway.Registry.Tokens;

/// <summary>What a refresh token says about itself once its MAC has verified. Holds nothing secret.</summary>
/// <param name="Id">The token's random id (22 base64url characters): makes every token unique.</param>
/// <param name="User">The user it was issued to: the subject of every token it is exchanged for.</param>
/// <param name="Service">The only service it is good for.</param>
/// <param name="IssuedAt">When it was issued (whole seconds): compare with a per-user "revoked before" time.</param>
/// <param name="ExpiresAt">When it stops being accepted.</param>
public sealed record RefreshTokenInfo(string Id, string User, string Service, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt);
