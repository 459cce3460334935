namespace Gateway.Edge.Authentication;

/// <summary>The outcome of authenticating one request.</summary>
/// <param name="Status">Authenticated, invalid, or undecidable.</param>
/// <param name="Cache">How the credential cache answered: <c>hit</c>, <c>miss</c>, <c>coalesced</c> or <c>none</c>.</param>
public readonly record struct AuthenticationResult(AuthenticationStatus Status, string Cache);
