using Microsoft.Extensions.Options;

namespace Gateway.Edge.Caching;

/// <summary>Checks <see cref="CacheOptions"/> at start-up; each message names its key.</summary>
public sealed class CacheOptionsValidator : IValidateOptions<CacheOptions>
{
    /// <summary>The smallest <see cref="CacheOptions.MaxBytes"/>.</summary>
    public const long MinBytes = 1024 * 1024;

    /// <summary>The largest <see cref="CacheOptions.MaxBytes"/>.</summary>
    public const long MaxBytes = 16L * 1024 * 1024 * 1024;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, CacheOptions options)
    {
        var failures = new List<string>();
        if (options.MaxBytes is < MinBytes or > MaxBytes)
        {
            failures.Add($"{CacheOptions.SectionName}:MaxBytes must be between {MinBytes} (1 MiB) and {MaxBytes} (16 GiB) (was {options.MaxBytes}).");
        }

        if (options.Ttl < TimeSpan.FromSeconds(1) || options.Ttl > TimeSpan.FromDays(1))
        {
            failures.Add($"{CacheOptions.SectionName}:Ttl must be between 00:00:01 and 1.00:00:00 (was {options.Ttl}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
