using Gateway.Edge.Access.Answer;

namespace Gateway.Edge.Access.Identify;

/// <summary>What an identity provider made of a request: not its kind of credential, an identity, or a refusal.</summary>
public readonly record struct IdentityResult
{
    private IdentityResult(IdentityStatus status, Identity? identity, AccessRefusal? refusal)
    {
        Status = status;
        Identity = identity;
        Refusal = refusal;
    }

    /// <summary>Which of the three.</summary>
    public IdentityStatus Status { get; }

    /// <summary>The identity, when <see cref="IdentityStatus.Identified"/>.</summary>
    public Identity? Identity { get; }

    /// <summary>The answer, when <see cref="IdentityStatus.Refused"/> (wrong credentials, a lock, a limit, an outage).</summary>
    public AccessRefusal? Refusal { get; }

    /// <summary>The credential is not this provider's: the next one tries.</summary>
    public static IdentityResult NotMine { get; } = new(IdentityStatus.NotMine, null, null);

    /// <summary>The request is <paramref name="identity"/>.</summary>
    public static IdentityResult Identified(Identity identity) => new(IdentityStatus.Identified, identity, null);

    /// <summary>The request is refused with <paramref name="refusal"/>.</summary>
    public static IdentityResult Refused(AccessRefusal refusal) => new(IdentityStatus.Refused, null, refusal);
}

/// <summary>The three answers of an identity provider.</summary>
public enum IdentityStatus
{
    /// <summary>Not this provider's kind of credential.</summary>
    NotMine,

    /// <summary>Identified and admitted.</summary>
    Identified,

    /// <summary>Refused.</summary>
    Refused,
}
