namespace Gateway.Contracts;

/// <summary>How the edge's verification of a credential ended (bcrypt against htpasswd, a directory bind, a token check).</summary>
[GenerateSerializer, Alias("gw.VerificationResult")]
public enum VerificationResult
{
    /// <summary>Unknown user or wrong credential: counted toward the lockouts.</summary>
    Failed = 0,

    /// <summary>The credential is valid.</summary>
    Succeeded = 1,

    /// <summary>
    /// The identity source could not answer (a directory outage): nothing is counted; a credential verified within its
    /// grace (<see cref="VerificationReport.GraceFor"/>) is still allowed, anything else is undecidable (503).
    /// </summary>
    SourceUnavailable = 2,
}
