using Gateway.Contracts;

namespace Gateway.Grains;

/// <summary>Locks and blocks as decisions, for the user, machine-account and address grains alike.</summary>
internal static class LockDecisions
{
    /// <summary>A lock or block: the reason, its end, the failures that caused it, when to retry.</summary>
    public static CredentialDecision Locked(DenialReason reason, DateTimeOffset until, int failures, DateTimeOffset now) => new()
    {
        Outcome = CredentialOutcome.Locked,
        Reason = reason,
        LockedUntil = until,
        Failures = failures,
        RetryAfter = until - now,
    };
}
