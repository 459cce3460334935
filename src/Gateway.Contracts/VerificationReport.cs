namespace Gateway.Contracts;

/// <summary>The outcome of a verification the grain asked an edge to run.</summary>
[GenerateSerializer, Immutable, Alias("gw.VerificationReport")]
public sealed record VerificationReport
{
    /// <summary>The ticket from the <see cref="CredentialDecision"/>.</summary>
    [Id(0)] public required Guid Ticket { get; init; }

    /// <summary>The fingerprint that was verified.</summary>
    [Id(1)] public required byte[] Fingerprint { get; init; }

    /// <summary>Whether bcrypt accepted the password.</summary>
    [Id(2)] public required bool Succeeded { get; init; }

    /// <summary>How long a success may be answered from the cache.</summary>
    [Id(3)] public required TimeSpan CacheFor { get; init; }

    /// <summary>The client address of the request that was verified.</summary>
    [Id(4)] public required string ClientAddress { get; init; }

    /// <summary>What the request is, for rate limits.</summary>
    [Id(5)] public RequestKind Kind { get; init; }

    /// <summary>Never prints the fingerprint.</summary>
    public override string ToString() => $"VerificationReport {{ Ticket = {Ticket}, Succeeded = {Succeeded} }}";
}
