namespace Gateway.Edge.Access.Identify.Federation;

/// <summary>
/// Login with a CI job's OpenID Connect token as the password (section <c>Gateway:Federation</c>): the token is
/// validated against the keys of a trusted issuer and mapped to an account. Off while <see cref="Issuers"/> is empty.
/// </summary>
public sealed class FederationOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Gateway:Federation";

    /// <summary>The trusted issuers (GitHub Actions, GitLab, a Kubernetes API server, ...). Empty: federation is off.</summary>
    public List<TrustedIssuerOptions> Issuers { get; set; } = [];

    /// <summary>
    /// How long fetched signing keys are used before they are fetched again (a failed fetch keeps the last keys, so an
    /// issuer's outage does not refuse tokens whose keys are known). Default 1 hour.
    /// </summary>
    public TimeSpan KeyRefreshInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The least time between two fetches of one issuer's keys: a token with an unknown <c>kid</c> refetches them at
    /// most this often, so a flood of forged key ids cannot turn the gateway against the issuer. Default 30 s.
    /// </summary>
    public TimeSpan MinimumRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The bound on one fetch of a discovery document or key set (connect, TLS and body). Default 5 s.</summary>
    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Leeway for <c>exp</c>, <c>nbf</c> and <c>iat</c> against this node's clock. Default 30 s; at most 5 min.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The longest token taken, in characters (CI tokens are 1–3 KB). Longer passwords are not tokens. Default 16384.
    /// </summary>
    public int MaxTokenLength { get; set; } = 16384;

    /// <summary>True when at least one issuer is trusted.</summary>
    public bool Enabled => Issuers.Count > 0;
}
