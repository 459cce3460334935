using Microsoft.Extensions.Options;

namespace Gateway.Edge.Health;

/// <summary>Checks <see cref="HealthOptions"/> at start-up; each message names its key.</summary>
public sealed class HealthOptionsValidator : IValidateOptions<HealthOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, HealthOptions options)
    {
        var failures = new List<string>();
        if (options.CheckInterval < TimeSpan.FromMilliseconds(100) || options.CheckInterval > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{HealthOptions.SectionName}:CheckInterval must be between 00:00:00.1 and 00:01:00 (was {options.CheckInterval}).");
        }

        if (options.CheckTimeout < TimeSpan.FromMilliseconds(100) || options.CheckTimeout > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{HealthOptions.SectionName}:CheckTimeout must be between 00:00:00.1 and 00:01:00 (was {options.CheckTimeout}).");
        }

        if (options.UnreadyAfter < options.CheckInterval || options.UnreadyAfter > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{HealthOptions.SectionName}:UnreadyAfter must be at least {HealthOptions.SectionName}:CheckInterval ({options.CheckInterval}) and at most 00:10:00 (was {options.UnreadyAfter}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
