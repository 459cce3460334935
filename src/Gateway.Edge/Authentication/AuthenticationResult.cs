using Gateway.Contracts;

namespace Gateway.Edge.Authentication;

/// <summary>The outcome of authenticating one request.</summary>
/// <param name="Status">Authenticated, invalid, refused by a lock or limit, or undecidable.</param>
/// <param name="Cache">How the credential cache answered: <c>hit</c>, <c>miss</c>, <c>coalesced</c> or <c>none</c>.</param>
/// <param name="Decision">The user grain's decision (lock and limit details, the pull budget); null when undecidable.</param>
public readonly record struct AuthenticationResult(AuthenticationStatus Status, string Cache, CredentialDecision? Decision = null);
