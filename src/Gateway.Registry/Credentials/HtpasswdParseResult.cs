namespace Gateway.Registry.Credentials;

/// <summary>The outcome of parsing an htpasswd file: its entries, or the lines that stop it from being used.</summary>
/// <param name="Snapshot">The usable entries; null when <paramref name="Problems"/> is not empty.</param>
/// <param name="Problems">Lines that are not bcrypt entries or are malformed.</param>
public sealed record HtpasswdParseResult(HtpasswdSnapshot? Snapshot, IReadOnlyList<HtpasswdProblem> Problems)
{
    /// <summary>True when the file can be used as a whole.</summary>
    public bool IsValid => Snapshot is not null;
}
