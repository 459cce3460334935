namespace Gateway.Edge.Access.Identify.Federation;

/// <summary>A token read without verifying its signature, and where its key stands.</summary>
/// <param name="Validation">The unverified reading: the trusted issuer and the account the claims map to, or why not.</param>
/// <param name="KeyId">The header's <c>kid</c>, or null.</param>
/// <param name="Key">Whether the issuer publishes that key now.</param>
public sealed record FederatedPeek(FederatedValidation Validation, string? KeyId, KeyState Key);
