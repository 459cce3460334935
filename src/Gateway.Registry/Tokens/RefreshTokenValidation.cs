using System.Diagnostics.CodeAnalysis;

namespace Gateway.Registry.Tokens;

/// <summary>The outcome of validating a refresh token.</summary>
/// <param name="Status">What the validation found.</param>
/// <param name="Info">The token's contents once its MAC has verified (also for the user, service and expiry failures); otherwise null.</param>
public readonly record struct RefreshTokenValidation(RefreshTokenStatus Status, RefreshTokenInfo? Info)
{
    /// <summary>True when the token may be exchanged (once the subject's grain admits it).</summary>
    [MemberNotNullWhen(true, nameof(Info))]
    public bool IsValid => Status == RefreshTokenStatus.Valid && Info is not null;
}
