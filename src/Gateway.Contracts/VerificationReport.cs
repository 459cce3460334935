namespace Gateway.Contracts;

/// <summary>The outcome of a verification the grain asked an edge to run.</summary>
[GenerateSerializer, Immutable, Alias("gw.VerificationReport")]
public sealed record VerificationReport
{
    /// <summary>The ticket from the <see cref="CredentialDecision"/>.</summary>
    [Id(0)] public required Guid Ticket { get; init; }

    /// <summary>The fingerprint that was verified.</summary>
    [Id(1)] public required byte[] Fingerprint { get; init; }

    /// <summary>How the verification ended.</summary>
    [Id(2)] public required VerificationResult Result { get; init; }

    /// <summary>How long a success may be answered from the cache.</summary>
    [Id(3)] public required TimeSpan CacheFor { get; init; }

    /// <summary>The client address of the request that was verified.</summary>
    [Id(4)] public required string ClientAddress { get; init; }

    /// <summary>What the request is, for rate limits.</summary>
    [Id(5)] public RequestKind Kind { get; init; }

    /// <summary>
    /// The account's labels as the identity source gave them (an LDAP user's groups, claims of a federated token), kept
    /// with the cached credential and answered on every hit; null when the source has none.
    /// </summary>
    [Id(6)] public IReadOnlyDictionary<string, string[]>? Labels { get; init; }

    /// <summary>
    /// How long past <see cref="CacheFor"/> the credential still counts as verified while its source is unavailable
    /// (<see cref="VerificationResult.SourceUnavailable"/>); zero: never.
    /// </summary>
    [Id(7)] public TimeSpan GraceFor { get; init; }

    /// <summary>Never prints the fingerprint.</summary>
    public override string ToString() => $"VerificationReport {{ Ticket = {Ticket}, Result = {Result} }}";
}
