namespace Gateway.Edge.Access.Identify.Federation;

/// <summary>One trusted OpenID Connect issuer (an entry of <c>Gateway:Federation:Issuers</c>).</summary>
public sealed class TrustedIssuerOptions
{
    /// <summary>
    /// The issuer URL exactly as tokens carry it in <c>iss</c>, https only (<c>https://token.actions.githubusercontent.com</c>).
    /// Its discovery document is <c>{Issuer}/.well-known/openid-configuration</c>. Required.
    /// </summary>
    public string Issuer { get; set; } = "";

    /// <summary>The audience a token must name in <c>aud</c> (what the CI job asked its token for). Required.</summary>
    public string Audience { get; set; } = "";

    /// <summary>The key set's URL for an issuer without a discovery document (https only). Default: from discovery.</summary>
    public string? JwksUri { get; set; }

    /// <summary>
    /// A PEM file of the CA certificates that alone are trusted for this issuer's HTTPS (self-hosted GitLab, a
    /// Kubernetes API server). Default: the machine's trust store.
    /// </summary>
    public string? CaFile { get; set; }

    /// <summary>
    /// The account a token maps to, with <c>${claims:NAME}</c> placeholders for string claims, e.g.
    /// <c>ci/${claims:repository}</c>. The result must be a valid account name, or the token is refused. Required.
    /// </summary>
    public string AccountTemplate { get; set; } = "";

    /// <summary>
    /// Claims a token must carry with exactly these values (a boolean claim as <c>true</c>/<c>false</c>), e.g.
    /// <c>ref_protected: "true"</c>. Default: none.
    /// </summary>
    public Dictionary<string, string> RequiredClaims { get; set; } = [];

    /// <summary>
    /// ACL labels taken from claims: label name → claim name (a string claim gives one value, an array of strings one
    /// value each), e.g. <c>owner: repository_owner</c>; the ACL sees them as <c>${labels:owner}</c>. Default: none.
    /// </summary>
    public Dictionary<string, string> Labels { get; set; } = [];
}
