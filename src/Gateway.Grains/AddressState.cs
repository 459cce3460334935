namespace Gateway.Grains;

/// <summary>What an address grain persists.</summary>
[GenerateSerializer, Alias("gw.AddressState")]
public sealed class AddressState
{
    /// <summary>Failures and block of this address.</summary>
    [Id(0)] public LockoutEntry Entry { get; set; } = new();
}
