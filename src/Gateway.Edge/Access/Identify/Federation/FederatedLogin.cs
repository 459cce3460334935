namespace Gateway.Edge.Access.Identify.Federation;

/// <summary>One verified federated login (a token validated on this edge, not a cache hit).</summary>
/// <param name="At">When it was verified.</param>
/// <param name="Issuer">The token's issuer.</param>
/// <param name="Subject">The token's <c>sub</c> (for GitHub: <c>repo:OWNER/REPO:ref:…</c>), or null.</param>
/// <param name="ExpiresAt">The token's <c>exp</c>.</param>
public sealed record FederatedLogin(DateTimeOffset At, string Issuer, string? Subject, DateTimeOffset? ExpiresAt);
