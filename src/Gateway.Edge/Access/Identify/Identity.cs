using Gateway.Contracts;

namespace Gateway.Edge.Access.Identify;

/// <summary>Who a request is, as an identity provider established it and the grains admitted it.</summary>
/// <param name="Account">The account the ACL decides for (<c>""</c> for anonymous clients).</param>
/// <param name="Kind">Where it came from.</param>
/// <param name="Labels">Its labels, for the ACL's <c>labels</c> rules and <c>${labels:…}</c> placeholders.</param>
public sealed record Identity(string Account, IdentityKind Kind, IReadOnlyDictionary<string, IReadOnlyList<string>> Labels)
{
    /// <summary>The grain's admission (the pull budget, a machine account's scope ceiling); null when none was asked.</summary>
    public CredentialDecision? Admission { get; init; }

    /// <summary>How the credential cache answered.</summary>
    public CacheResult Cache { get; init; }

    /// <summary>A few words for the audit event: <c>cached credential</c>, <c>bearer token</c>, …</summary>
    public required string Reason { get; init; }

    /// <summary>
    /// When the credential itself ends (a federated CI token's <c>exp</c>): tokens the gateway issues for it expire no later
    /// and come without a refresh token. Null: the credential does not expire by itself.
    /// </summary>
    public DateTimeOffset? ValidUntil { get; init; }

    /// <summary>When the identity was established from a token the gateway issued: when that token was issued.</summary>
    public DateTimeOffset? TokenIssuedAt { get; init; }
}
