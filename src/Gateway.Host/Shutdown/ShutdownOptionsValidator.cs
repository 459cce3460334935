using Microsoft.Extensions.Options;

namespace Gateway.Host.Shutdown;

/// <summary>Checks <see cref="ShutdownOptions"/>; each message names its key.</summary>
public sealed class ShutdownOptionsValidator : IValidateOptions<ShutdownOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ShutdownOptions options)
    {
        var failures = new List<string>();
        if (options.DrainDelay < TimeSpan.Zero || options.DrainDelay > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{ShutdownOptions.SectionName}:DrainDelay must be between 00:00:00 and 00:10:00 (was {options.DrainDelay}).");
        }

        if (options.Timeout < TimeSpan.Zero || options.Timeout > TimeSpan.FromHours(2))
        {
            failures.Add($"{ShutdownOptions.SectionName}:Timeout must be between 00:00:00 and 02:00:00 (was {options.Timeout}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
