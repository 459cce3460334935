namespace Gateway.Edge.Access.Identify.Federation;

/// <summary>What an edge knows of one trusted issuer's keys (the admin view).</summary>
/// <param name="Issuer">The issuer URL.</param>
/// <param name="JwksUri">Where its keys come from (null until discovery answered).</param>
/// <param name="KeyIds">The key ids in use.</param>
/// <param name="LastRefresh">When the keys were last fetched successfully.</param>
/// <param name="LastAttempt">When a fetch was last tried.</param>
/// <param name="LastError">Why the last fetch failed (a fixed phrase, no server text), or null.</param>
public sealed record IssuerKeyStatus(
    string Issuer,
    string? JwksUri,
    IReadOnlyList<string> KeyIds,
    DateTimeOffset? LastRefresh,
    DateTimeOffset? LastAttempt,
    string? LastError);
