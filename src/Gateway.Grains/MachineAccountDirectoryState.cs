namespace Gateway.Grains;

/// <summary>What the machine-account directory persists: the names, sorted.</summary>
[GenerateSerializer, Alias("gw.MachineAccountDirectoryState")]
public sealed class MachineAccountDirectoryState
{
    /// <summary>The account names.</summary>
    [Id(0)] public SortedSet<string> Names { get; set; } = new(StringComparer.Ordinal);
}
