namespace Gateway.Edge.Access.Identify.Passwords;

/// <summary>The key every node shares for credential fingerprints (<c>Gateway:Cluster:Secret</c>).</summary>
/// <param name="Value">The key bytes; never logged.</param>
public sealed record FingerprintKey(ReadOnlyMemory<byte> Value)
{
    /// <summary>Never prints the key.</summary>
    public override string ToString() => "FingerprintKey ***";
}
