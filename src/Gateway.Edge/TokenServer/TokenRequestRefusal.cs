using Gateway.Registry.Access;
using Gateway.Registry.Errors;

namespace Gateway.Edge.TokenServer;

/// <summary>Why a token request could not be read: answered with <see cref="Error"/> (with a Basic challenge when <see cref="Challenge"/>).</summary>
/// <param name="Grant">The grant the request named, if it got that far.</param>
/// <param name="Outcome">The audit and metric outcome (<c>bad_request</c>, <c>unauthenticated</c>, <c>malformed_credentials</c>).</param>
/// <param name="Error">The answer.</param>
/// <param name="Challenge">True when the answer is a 401 with the Basic challenge.</param>
/// <param name="Reason">A few words for the audit event, when not the error's text.</param>
public sealed record TokenRequestRefusal(TokenGrant Grant, AccessOutcome Outcome, RegistryError Error, bool Challenge = false, string? Reason = null);
