namespace Gateway.Registry.Access;

/// <summary>The text of each <see cref="AccessOutcome"/>, as logs, metrics and dashboards have always read it.</summary>
public static class AccessOutcomes
{
    /// <summary>The outcome's label: <c>allowed</c>, <c>invalid_credentials</c>, <c>rate_limited</c>, …</summary>
    public static string Label(this AccessOutcome outcome) => outcome switch
    {
        AccessOutcome.Allowed => "allowed",
        AccessOutcome.LegacyClient => "legacy_client",
        AccessOutcome.BadRequest => "bad_request",
        AccessOutcome.NotFound => "not_found",
        AccessOutcome.Unauthenticated => "unauthenticated",
        AccessOutcome.MalformedCredentials => "malformed_credentials",
        AccessOutcome.InvalidCredentials => "invalid_credentials",
        AccessOutcome.InvalidToken => "invalid_token",
        AccessOutcome.RevokedToken => "revoked_token",
        AccessOutcome.InsufficientScope => "insufficient_scope",
        AccessOutcome.Denied => "denied",
        AccessOutcome.Locked => "locked",
        AccessOutcome.RateLimited => "rate_limited",
        AccessOutcome.Unavailable => "unavailable",
        AccessOutcome.TokenIssued => "token_issued",
        AccessOutcome.InvalidRefreshToken => "invalid_refresh_token",
        AccessOutcome.RevokedRefreshToken => "revoked_refresh_token",
        _ => "unknown",
    };
}
