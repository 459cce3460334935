namespace Gateway.Grains.Retention;

/// <summary>What a grain does with its persisted state after a change.</summary>
public enum RetentionKind
{
    /// <summary>Nothing is left to remember: delete the stored record.</summary>
    Forget = 1,

    /// <summary>Keep it until <see cref="RetentionDecision.Until"/>, then look again (a sweeper asks the grain).</summary>
    Until,

    /// <summary>Keep it: it holds what must outlive any window (known-good addresses, a token revocation).</summary>
    Keep,
}
