using Microsoft.Extensions.Options;

namespace Gateway.Registry.Policies;

/// <summary>Checks <see cref="LockoutOptions"/> at start-up; each message names its key.</summary>
public sealed class LockoutOptionsValidator : IValidateOptions<LockoutOptions>
{
    private const string SectionName = LockoutOptions.SectionName;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, LockoutOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Check(failures, options.MaxFailures is >= 1 and <= 1000, nameof(options.MaxFailures), "between 1 and 1000", options.MaxFailures);
        Check(failures, options.MaxFailuresPerUser is >= 1 and <= 100_000, nameof(options.MaxFailuresPerUser), "between 1 and 100000", options.MaxFailuresPerUser);
        Check(failures, options.MaxFailuresPerAddress is >= 1 and <= 100_000, nameof(options.MaxFailuresPerAddress), "between 1 and 100000", options.MaxFailuresPerAddress);
        Check(failures, options.Window >= TimeSpan.FromSeconds(1) && options.Window <= TimeSpan.FromDays(7), nameof(options.Window), "between 00:00:01 and 7.00:00:00", options.Window);
        Check(failures, options.Duration >= TimeSpan.FromSeconds(1) && options.Duration <= TimeSpan.FromDays(7), nameof(options.Duration), "between 00:00:01 and 7.00:00:00", options.Duration);
        Check(failures, options.MaxDuration >= options.Duration && options.MaxDuration <= TimeSpan.FromDays(30), nameof(options.MaxDuration), "at least Duration and at most 30.00:00:00", options.MaxDuration);
        Check(failures, options.SweepInterval >= TimeSpan.FromMilliseconds(100) && options.SweepInterval <= TimeSpan.FromHours(1), nameof(options.SweepInterval), "between 00:00:00.1 and 01:00:00", options.SweepInterval);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(List<string> failures, bool ok, string key, string rule, object value)
    {
        if (!ok)
        {
            failures.Add($"{SectionName}:{key} must be {rule} (was {value}).");
        }
    }
}
