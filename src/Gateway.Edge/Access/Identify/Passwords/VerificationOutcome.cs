namespace Gateway.Edge.Access.Identify.Passwords;

/// <summary>How a <see cref="ICredentialVerifier"/> answered.</summary>
public enum VerificationOutcome
{
    /// <summary>The credential is good.</summary>
    Valid,

    /// <summary>Unknown user or wrong credential (never told apart): counted toward the lockouts.</summary>
    Invalid,

    /// <summary>The source could not answer (an outage): nothing is counted; 503 unless the credential is within its grace.</summary>
    Unavailable,
}
