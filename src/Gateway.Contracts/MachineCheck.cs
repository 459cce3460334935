namespace Gateway.Contracts;

/// <summary>What the edge tells a machine account's grain about one request presenting its secret.</summary>
[GenerateSerializer, Immutable, Alias("gw.MachineCheck")]
public sealed record MachineCheck
{
    /// <summary>SHA-256 of the presented secret.</summary>
    [Id(0)] public required byte[] SecretHash { get; init; }

    /// <summary>The client's address as the edge resolved it.</summary>
    [Id(1)] public required string ClientAddress { get; init; }

    /// <summary>What the request is, for rate limits.</summary>
    [Id(2)] public RequestKind Kind { get; init; }

    /// <summary>Never prints the hash.</summary>
    public override string ToString() => $"MachineCheck {{ ClientAddress = {ClientAddress} }}";
}
