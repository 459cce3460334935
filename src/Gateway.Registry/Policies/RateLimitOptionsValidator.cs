using Microsoft.Extensions.Options;

namespace Gateway.Registry.Policies;

/// <summary>Checks <see cref="RateLimitOptions"/> at start-up; each message names its key.</summary>
public sealed class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, RateLimitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Check(failures, nameof(options.Requests), options.Requests);
        Check(failures, nameof(options.Pulls), options.Pulls);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(List<string> failures, string name, RateLimitRule rule)
    {
        if (rule.Limit is < 1 or > 100_000_000)
        {
            failures.Add($"{RateLimitOptions.SectionName}:{name}:Limit must be between 1 and 100000000, or unset for no limit (was {rule.Limit}).");
        }

        if (rule.Window < TimeSpan.FromSeconds(1) || rule.Window > TimeSpan.FromDays(31))
        {
            failures.Add($"{RateLimitOptions.SectionName}:{name}:Window must be between 00:00:01 and 31.00:00:00 (was {rule.Window}).");
        }
    }
}
