using Gateway.Contracts;
using Microsoft.Extensions.Logging;
using Gateway.Registry.Logging;

namespace Gateway.Grains;

/// <summary>Counts a failed verification against the client address's grain (password spraying across user names).</summary>
internal static partial class AddressFailures
{
    /// <summary>
    /// Records one failure. The caller's own decision is already taken and written, so a failure to count is logged,
    /// not thrown: the request is refused either way.
    /// </summary>
    public static async Task RecordAsync(IGrainFactory grains, string address, ILogger logger)
    {
        try
        {
            await grains.GetGrain<IAddressGrain>(address).RecordFailureAsync();
        }
        catch (Exception ex)
        {
            CountFailed(logger, address, ex.GetType().Name);
        }
    }

    [LoggerMessage(EventId = EventIds.AddressCountFailed, Level = LogLevel.Warning, Message = "Could not count a failure for address {Address}: {Reason}")]
    private static partial void CountFailed(ILogger logger, string address, string reason);
}
