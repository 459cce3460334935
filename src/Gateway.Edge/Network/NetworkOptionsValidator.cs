using System.Net;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Network;

/// <summary>Checks <see cref="NetworkOptions"/> at start-up; each message names its key.</summary>
public sealed class NetworkOptionsValidator : IValidateOptions<NetworkOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, NetworkOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.KnownProxies.Count; i++)
        {
            if (!IPAddress.TryParse(options.KnownProxies[i], out _))
            {
                failures.Add($"{NetworkOptions.SectionName}:KnownProxies:{i} must be an IP address (was '{options.KnownProxies[i]}').");
            }
        }

        for (var i = 0; i < options.KnownNetworks.Count; i++)
        {
            if (!IPNetwork.TryParse(options.KnownNetworks[i], out _))
            {
                failures.Add($"{NetworkOptions.SectionName}:KnownNetworks:{i} must be a network in CIDR form such as 10.0.0.0/8 (was '{options.KnownNetworks[i]}').");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
