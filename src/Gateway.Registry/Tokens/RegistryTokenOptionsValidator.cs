using Microsoft.Extensions.Options;

namespace Gateway.Registry.Tokens;

/// <summary>Checks <see cref="RegistryTokenOptions"/> when the token server is enabled; each message names its key.</summary>
public sealed class RegistryTokenOptionsValidator : IValidateOptions<RegistryTokenOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, RegistryTokenOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        RequireText(problems, nameof(RegistryTokenOptions.Issuer), options.Issuer);
        RequireText(problems, nameof(RegistryTokenOptions.Service), options.Service);
        if (string.IsNullOrWhiteSpace(options.Realm)
            || (!options.Realm.StartsWith('/') && !(Uri.TryCreate(options.Realm, UriKind.Absolute, out var realm) && realm.Scheme is "https" or "http")))
        {
            problems.Add($"{RegistryTokenOptions.SectionName}:{nameof(RegistryTokenOptions.Realm)} must be an absolute http(s) URL or a path starting with '/', got '{options.Realm}'.");
        }

        if (string.IsNullOrWhiteSpace(options.SigningKey))
        {
            problems.Add($"{RegistryTokenOptions.SectionName}:{nameof(RegistryTokenOptions.SigningKey)} is required: the path of a PEM EC (P-256, P-384, P-521) or RSA (2048 bits or more) private key.");
        }

        if (options.Lifetime < RegistryTokenOptions.MinimumLifetime || options.Lifetime > RegistryTokenOptions.MaximumLifetime)
        {
            problems.Add($"{RegistryTokenOptions.SectionName}:{nameof(RegistryTokenOptions.Lifetime)} must be between {RegistryTokenOptions.MinimumLifetime:c} (the token spec's minimum) and {RegistryTokenOptions.MaximumLifetime:c}, got {options.Lifetime:c}.");
        }

        if (options.RefreshLifetime < RegistryTokenOptions.MinimumLifetime)
        {
            problems.Add($"{RegistryTokenOptions.SectionName}:{nameof(RegistryTokenOptions.RefreshLifetime)} must be at least {RegistryTokenOptions.MinimumLifetime:c}, got {options.RefreshLifetime:c}.");
        }

        if (!Enum.IsDefined(options.KeyIdFormat))
        {
            problems.Add($"{RegistryTokenOptions.SectionName}:{nameof(RegistryTokenOptions.KeyIdFormat)} must be Libtrust (registry 2.8) or Thumbprint (registry 3), got '{options.KeyIdFormat}'.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static void RequireText(List<string> problems, string key, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            problems.Add($"{RegistryTokenOptions.SectionName}:{key} is required and must equal the registry's auth.token.{key.ToLowerInvariant()}.");
        }
        else if (value.Any(char.IsControl) || value.Trim().Length != value.Length)
        {
            problems.Add($"{RegistryTokenOptions.SectionName}:{key} must not hold control characters or leading/trailing spaces.");
        }
    }
}
