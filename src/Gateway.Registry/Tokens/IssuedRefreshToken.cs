namespace Gateway.Registry.Tokens;

/// <summary>A new refresh token. <see cref="Value"/> is a long-lived credential: it never prints; never log it.</summary>
public sealed class IssuedRefreshToken
{
    internal IssuedRefreshToken(string value, RefreshTokenInfo info)
    {
        Value = value;
        Info = info;
    }

    /// <summary>The opaque token to hand to the client (the response's <c>refresh_token</c>).</summary>
    public string Value { get; }

    /// <summary>What the token says about itself; safe to log and to store (e.g. the id, for revocation).</summary>
    public RefreshTokenInfo Info { get; }

    /// <summary>Shows the id, user and service, never the token.</summary>
    public override string ToString() => $"refresh token {Info.Id} for '{Info.User}' at '{Info.Service}' until {Info.ExpiresAt:O}";
}
