namespace Gateway.Edge.Access.Answer;

/// <summary>Which kind of request a lock or a limit refuses: each kind gets the answer that every client reports.</summary>
public enum RefusalSurface
{
    /// <summary>A <c>/v2/</c> request with Basic credentials or a token (pull, push, delete, tags, catalog).</summary>
    Request = 0,

    /// <summary>
    /// A login check: an authenticated <c>GET /v2/</c> (basic mode), or a token request without a scope (token mode).
    /// <c>docker login</c>, <c>podman</c>/<c>buildah</c>/<c>skopeo login</c> send exactly this and nothing else.
    /// </summary>
    LoginCheck = 1,

    /// <summary>A token request that asks for scopes (token mode: every pull and push first asks for a token).</summary>
    TokenRequest = 2,
}
