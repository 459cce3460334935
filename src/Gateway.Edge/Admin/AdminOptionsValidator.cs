using Microsoft.Extensions.Options;

namespace Gateway.Edge.Admin;

/// <summary>Checks <see cref="AdminOptions"/>; each message names its key.</summary>
public sealed class AdminOptionsValidator : IValidateOptions<AdminOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, AdminOptions options)
    {
        var failures = new List<string>();
        if (options.Token is not null && (options.Token.Length < 24 || options.Token.Any(char.IsWhiteSpace)))
        {
            failures.Add($"{AdminOptions.SectionName}:Token must be at least 24 characters without spaces (or unset to turn the admin endpoint off).");
        }

        if (!options.PathPrefix.StartsWith('/') || options.PathPrefix.StartsWith("/v2", StringComparison.OrdinalIgnoreCase) || options.PathPrefix.Length < 2)
        {
            failures.Add($"{AdminOptions.SectionName}:PathPrefix must start with '/' and must not be under /v2 (was '{options.PathPrefix}').");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
