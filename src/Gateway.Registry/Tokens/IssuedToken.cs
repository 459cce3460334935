namespace Gateway.Registry.Tokens;

/// <summary>A signed registry token and the claims in it. The token is a bearer credential: it never prints.</summary>
public sealed class IssuedToken
{
    internal IssuedToken(string token, TokenClaims claims)
    {
        Token = token;
        Claims = claims;
    }

    /// <summary>The compact JWS (<c>header.claims.signature</c>).</summary>
    public string Token { get; }

    /// <summary>The claims the token carries.</summary>
    public TokenClaims Claims { get; }

    /// <summary>Seconds from issue to expiry: the response's <c>expires_in</c>.</summary>
    public int ExpiresInSeconds => (int)(Claims.ExpiresAt - Claims.IssuedAt).TotalSeconds;

    /// <summary>Shows the subject, the audience and the expiry, never the token.</summary>
    public override string ToString() =>
        $"token for '{Claims.Subject}' at '{Claims.Audience}' until {Claims.ExpiresAt:O} ({Claims.Access.ToScopeString()})";
}
