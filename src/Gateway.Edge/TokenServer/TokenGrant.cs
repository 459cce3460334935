namespace Gateway.Edge.TokenServer;

/// <summary>How a token request authenticates (the <c>grant</c> label of <c>gateway.token.requests</c>).</summary>
public enum TokenGrant
{
    /// <summary>Not known yet: the request was refused before it said.</summary>
    None,

    /// <summary>Basic credentials on <c>GET</c>, or <c>grant_type=password</c>.</summary>
    Password,

    /// <summary><c>grant_type=refresh_token</c>.</summary>
    RefreshToken,

    /// <summary>No credentials, with <c>Gateway:Auth:Anonymous</c>.</summary>
    Anonymous,
}
