namespace Gateway.Grains.Retention;

/// <summary>How long a grain's persisted state must be kept.</summary>
/// <param name="Kind">Forget, keep until a time, or keep.</param>
/// <param name="Until">With <see cref="RetentionKind.Until"/>: when the state will have nothing left to remember.</param>
public readonly record struct RetentionDecision(RetentionKind Kind, DateTimeOffset? Until = null)
{
    /// <summary>Delete the record.</summary>
    public static RetentionDecision Forget { get; } = new(RetentionKind.Forget);

    /// <summary>Keep the record.</summary>
    public static RetentionDecision Keep { get; } = new(RetentionKind.Keep);
}
