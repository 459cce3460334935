namespace Gateway.Edge.Access.Answer;

/// <summary>Which <c>WWW-Authenticate</c> challenge a refusal carries.</summary>
public enum ChallengeKind
{
    /// <summary>None.</summary>
    None,

    /// <summary><c>Basic realm="…"</c> (basic mode, and the token endpoint's 401s).</summary>
    Basic,

    /// <summary><c>Bearer realm="…",service="…",scope="…"</c> with the refusal's error (token mode).</summary>
    Bearer,
}
