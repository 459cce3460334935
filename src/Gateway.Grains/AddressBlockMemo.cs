using Gateway.Contracts;

namespace Gateway.Grains;

/// <summary>
/// Remembers for a few seconds that an address is not blocked, so a grain answering from its cache asks the address's
/// grain at most every <see cref="Lifetime"/> per address and the hot path stays one grain call.
/// </summary>
internal sealed class AddressBlockMemo
{
    /// <summary>How long a request trusts that its address is not blocked.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    private const int MaxAddresses = 1024;

    private readonly Dictionary<string, DateTimeOffset> _clearUntil = new(StringComparer.Ordinal);

    /// <summary>When the address's block ends, or null when it is not blocked.</summary>
    public async Task<DateTimeOffset?> BlockedUntilAsync(IGrainFactory grains, string address, DateTimeOffset now)
    {
        if (_clearUntil.TryGetValue(address, out var until) && now < until)
        {
            return null;
        }

        var status = await grains.GetGrain<IAddressGrain>(address).CheckAsync();
        if (status.BlockedUntil is { } blockedUntil)
        {
            _clearUntil.Remove(address);
            return blockedUntil;
        }

        if (_clearUntil.Count >= MaxAddresses)
        {
            _clearUntil.Clear();
        }

        _clearUntil[address] = now + Lifetime;
        return null;
    }
}
