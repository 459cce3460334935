namespace Gateway.Edge.Access.Identify.Passwords;

// Temporary copy of the access pipeline's contract (issue 15), deleted when that pipeline lands on main.

/// <summary>The result of one verification: the outcome, the account's labels and how long the source vouches for it.</summary>
public sealed record CredentialVerification(VerificationOutcome Outcome, IReadOnlyDictionary<string, IReadOnlyList<string>> Labels, DateTimeOffset? ValidUntil);
