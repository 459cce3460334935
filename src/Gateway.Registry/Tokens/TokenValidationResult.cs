using System.Diagnostics.CodeAnalysis;

namespace Gateway.Registry.Tokens;

/// <summary>The outcome of validating a token.</summary>
/// <param name="Status">What the validation found.</param>
/// <param name="Claims">
/// The claims once the signature has verified (for <see cref="TokenValidationStatus.Valid"/>, and for the issuer,
/// audience and time failures, e.g. to log the subject); null before that.
/// </param>
public readonly record struct TokenValidationResult(TokenValidationStatus Status, TokenClaims? Claims)
{
    /// <summary>True when the token may be used.</summary>
    [MemberNotNullWhen(true, nameof(Claims))]
    public bool IsValid => Status == TokenValidationStatus.Valid && Claims is not null;
}
