namespace Gateway.Contracts;

/// <summary>
/// One grain per client address (IPv6 by /64), counting failed verifications across all user names: password
/// spraying from one address blocks it for every user. Called by the user grains, only on cache misses.
/// </summary>
public interface IAddressGrain : IGrainWithStringKey
{
    /// <summary>Whether a password may be checked for a request from this address.</summary>
    Task<AddressStatus> CheckAsync();

    /// <summary>Counts one failed verification from this address; answers whether it is now blocked.</summary>
    Task<AddressStatus> RecordFailureAsync();

    /// <summary>The address's state, for operators.</summary>
    Task<AddressStatus> GetStatusAsync();

    /// <summary>Clears the block and the failures.</summary>
    Task<AddressStatus> UnblockAsync();

    /// <summary>Deletes the address's stored state when its failures and block have expired, else schedules the next look.</summary>
    Task ForgetIfIdleAsync();
}
