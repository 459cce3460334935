namespace Gateway.Edge.Access.Identify.Passwords;

// Temporary copy of the access pipeline's contract (issue 15), deleted when that pipeline lands on main.

/// <summary>What a source said about a credential.</summary>
public enum VerificationOutcome
{
    /// <summary>The credential is right.</summary>
    Valid,

    /// <summary>Wrong password, unknown user or disabled account.</summary>
    Invalid,

    /// <summary>The source could not answer (an outage): 503, no failure counted.</summary>
    Unavailable,
}
