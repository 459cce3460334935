using Microsoft.Extensions.Options;

namespace Gateway.Edge.Backend;

/// <summary>Checks <see cref="BackendOptions"/> at start-up; each message names its key.</summary>
public sealed class BackendOptionsValidator : IValidateOptions<BackendOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, BackendOptions options)
    {
        var failures = new List<string>();
        if (options.Urls.Count == 0)
        {
            failures.Add($"{BackendOptions.SectionName}:Urls must list at least one registry URL, e.g. Gateway__Backend__Urls__0=http://127.0.0.1:5000");
        }

        for (var i = 0; i < options.Urls.Count; i++)
        {
            if (!Uri.TryCreate(options.Urls[i], UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.Query.Length > 0 || uri.UserInfo.Length > 0)
            {
                failures.Add($"{BackendOptions.SectionName}:Urls:{i} must be an absolute http(s) URL without query or user info (was '{options.Urls[i]}').");
            }
        }

        if (options.ActivityTimeout < TimeSpan.FromSeconds(1))
        {
            failures.Add($"{BackendOptions.SectionName}:ActivityTimeout must be at least 00:00:01 (was {options.ActivityTimeout}).");
        }

        if (options.HealthCheckInterval < TimeSpan.FromMilliseconds(100))
        {
            failures.Add($"{BackendOptions.SectionName}:HealthCheckInterval must be at least 00:00:00.1 (was {options.HealthCheckInterval}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
