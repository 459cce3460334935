using Microsoft.Extensions.Options;

namespace Gateway.Edge.Access.Identify.Federation;

/// <summary>Checks <see cref="FederationOptions"/> at start-up; each message names its key.</summary>
public sealed class FederationOptionsValidator : IValidateOptions<FederationOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, FederationOptions options)
    {
        const string Section = FederationOptions.SectionName;
        var failures = new List<string>();
        for (var i = 0; i < options.Issuers.Count; i++)
        {
            var issuer = options.Issuers[i];
            var key = $"{Section}:Issuers:{i}";
            if (!IsHttps(issuer.Issuer))
            {
                failures.Add($"{key}:Issuer must be an absolute https URL (was '{issuer.Issuer}').");
            }
            else if (options.Issuers.Take(i).Any(other => string.Equals(other.Issuer, issuer.Issuer, StringComparison.Ordinal)))
            {
                failures.Add($"{key}:Issuer '{issuer.Issuer}' is listed twice.");
            }

            if (string.IsNullOrWhiteSpace(issuer.Audience))
            {
                failures.Add($"{key}:Audience is required: the 'aud' the CI job asks its token for (e.g. the registry's host name).");
            }

            if (issuer.JwksUri is { Length: > 0 } jwks && !IsHttps(jwks))
            {
                failures.Add($"{key}:JwksUri must be an absolute https URL (was '{jwks}').");
            }

            if (issuer.CaFile is { Length: > 0 } ca && !File.Exists(ca))
            {
                failures.Add($"{key}:CaFile: file '{Path.GetFullPath(ca)}' does not exist.");
            }

            if (string.IsNullOrWhiteSpace(issuer.AccountTemplate))
            {
                failures.Add($"{key}:AccountTemplate is required, e.g. 'ci/${{claims:repository}}'.");
            }
            else if (AccountTemplate.TryParse(issuer.AccountTemplate, out var error) is null)
            {
                failures.Add($"{key}:AccountTemplate '{issuer.AccountTemplate}': {error}.");
            }

            foreach (var (claim, value) in issuer.RequiredClaims)
            {
                if (string.IsNullOrWhiteSpace(claim) || value is null)
                {
                    failures.Add($"{key}:RequiredClaims: each entry needs a claim name and a value.");
                }
            }

            foreach (var (label, claim) in issuer.Labels)
            {
                if (string.IsNullOrWhiteSpace(label) || string.IsNullOrWhiteSpace(claim))
                {
                    failures.Add($"{key}:Labels: each entry maps a label name to a claim name (was '{label}: {claim}').");
                }
            }
        }

        Range(failures, "KeyRefreshInterval", options.KeyRefreshInterval, TimeSpan.FromMinutes(1), TimeSpan.FromDays(1));
        Range(failures, "MinimumRefreshInterval", options.MinimumRefreshInterval, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        Range(failures, "FetchTimeout", options.FetchTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1));
        Range(failures, "ClockSkew", options.ClockSkew, TimeSpan.Zero, TimeSpan.FromMinutes(5));
        if (options.MaxTokenLength is < 1024 or > 65536)
        {
            failures.Add($"{Section}:MaxTokenLength must be between 1024 and 65536 (was {options.MaxTokenLength}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsHttps(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps && string.IsNullOrEmpty(uri.UserInfo);

    private static void Range(List<string> failures, string key, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            failures.Add($"{FederationOptions.SectionName}:{key} must be between {min} and {max} (was {value}).");
        }
    }
}
