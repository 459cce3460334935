namespace Gateway.Contracts;

/// <summary>What the edge tells a user grain about one request.</summary>
[GenerateSerializer, Immutable, Alias("gw.CredentialCheck")]
public sealed record CredentialCheck
{
    /// <summary>HMAC-SHA256 of user, password and stored hash under the cluster secret.</summary>
    [Id(0)] public required byte[] Fingerprint { get; init; }

    /// <summary>The client's address as the edge resolved it (socket, or a trusted proxy's X-Forwarded-For).</summary>
    [Id(1)] public required string ClientAddress { get; init; }

    /// <summary>What the request is, for rate limits.</summary>
    [Id(2)] public RequestKind Kind { get; init; }

    /// <summary>Never prints the fingerprint.</summary>
    public override string ToString() => $"CredentialCheck {{ ClientAddress = {ClientAddress} }}";
}
