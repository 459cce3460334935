namespace Gateway.Registry.Tokens;

/// <summary>The claim set of a registry token (<c>jwt.md</c>); times are whole seconds, UTC.</summary>
/// <param name="Issuer"><c>iss</c>: the token server, the registry's <c>auth.token.issuer</c>.</param>
/// <param name="Subject"><c>sub</c>: the account the token was issued to; empty for an anonymous client.</param>
/// <param name="Audience"><c>aud</c>, a single string: the service, the registry's <c>auth.token.service</c>.</param>
/// <param name="ExpiresAt"><c>exp</c>.</param>
/// <param name="NotBefore"><c>nbf</c>.</param>
/// <param name="IssuedAt"><c>iat</c>.</param>
/// <param name="JwtId"><c>jti</c>: random, unique per token.</param>
/// <param name="Access"><c>access</c>: what the token grants.</param>
/// <param name="CredentialBinding">
/// <c>cbd</c> (a private claim the registry ignores): a keyed digest of the subject's credential at issue time, so a
/// token ends when that credential changes or is removed; null when the token has none (machine accounts, anonymous).
/// </param>
public sealed record TokenClaims(
    string Issuer,
    string Subject,
    string Audience,
    DateTimeOffset ExpiresAt,
    DateTimeOffset NotBefore,
    DateTimeOffset IssuedAt,
    string JwtId,
    TokenAccess Access,
    string? CredentialBinding = null);
