namespace Gateway.Edge.Access.Identify.Federation;

/// <summary>The result of validating a federated token: valid (with its account), refused (with why) or undecidable.</summary>
/// <param name="Reason"><see cref="TokenRejection.None"/> when valid.</param>
/// <param name="Unavailable">True when the issuer's keys cannot be had (503, nothing counted).</param>
/// <param name="Issuer">The trusted issuer, when the token named one.</param>
/// <param name="Account">The mapped account, when the claims give one.</param>
/// <param name="Labels">ACL labels from the claims.</param>
/// <param name="ExpiresAt">The token's <c>exp</c>: no cache may keep its validation longer.</param>
/// <param name="Subject">The token's <c>sub</c> (for the admin view of recent logins; never logged).</param>
public sealed record FederatedValidation(
    TokenRejection Reason,
    bool Unavailable,
    string? Issuer,
    string? Account,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Labels,
    DateTimeOffset? ExpiresAt,
    string? Subject = null)
{
    /// <summary>True when the token is valid.</summary>
    public bool IsValid => Reason == TokenRejection.None && !Unavailable;

    /// <summary>A refusal.</summary>
    public static FederatedValidation Refused(TokenRejection reason, string? issuer = null, string? account = null) =>
        new(reason, false, issuer, account, NoLabels, null);

    /// <summary>Undecidable now.</summary>
    public static FederatedValidation Down(string issuer, string? account) => new(TokenRejection.None, true, issuer, account, NoLabels, null);

    /// <summary>No labels.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> NoLabels { get; } = new Dictionary<string, IReadOnlyList<string>>();
}
