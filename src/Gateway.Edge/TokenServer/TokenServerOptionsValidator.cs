using Gateway.Edge.Access;
using Gateway.Edge.Access.Admit;
using Gateway.Edge.Access.Identify.Htpasswd;
using Gateway.Edge.Access.Identify.Passwords;
using Gateway.Registry.Tokens;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.TokenServer;

/// <summary>
/// Checks <c>Gateway:Token</c> at start-up when the token server is enabled (<c>Gateway:Token:SigningKey</c> set):
/// <see cref="RegistryTokenOptionsValidator"/>, then the path of the endpoint and the key and certificate (loaded once, by
/// <see cref="TokenSigningKeys"/>), each message naming its key.
/// </summary>
/// <remarks>Reads <c>Gateway:Auth:Mode</c> from the configuration, not from validated <see cref="AuthOptions"/>, so a bad
/// <c>Gateway:Auth</c> value is reported once, by its own validator.</remarks>
public sealed class TokenServerOptionsValidator(IConfiguration configuration, TokenSigningKeys keys) : IValidateOptions<RegistryTokenOptions>
{
    /// <summary>True when the token server is configured.</summary>
    public static bool IsEnabled(RegistryTokenOptions options) => !string.IsNullOrWhiteSpace(options.SigningKey);

    /// <summary>The path the token endpoint is served at: the realm's path.</summary>
    public static string EndpointPath(RegistryTokenOptions options) =>
        options.Realm.StartsWith('/') ? options.Realm : new Uri(options.Realm, UriKind.Absolute).AbsolutePath;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, RegistryTokenOptions options)
    {
        if (!IsEnabled(options))
        {
            var mode = configuration[$"{AuthOptions.SectionName}:{nameof(AuthOptions.Mode)}"];
            return string.Equals(mode, "token", StringComparison.OrdinalIgnoreCase)
                ? ValidateOptionsResult.Fail($"{AuthOptions.SectionName}:Mode is 'token', which needs the token server: set {RegistryTokenOptions.SectionName}:SigningKey (and Issuer, Service).")
                : ValidateOptionsResult.Success;
        }

        var failures = new List<string>(new RegistryTokenOptionsValidator().Validate(name, options).Failures ?? []);
        if (failures.Count == 0)
        {
            var path = EndpointPath(options);
            if (path.StartsWith("/v2", StringComparison.OrdinalIgnoreCase) || path.Length < 2 || path.Contains("//", StringComparison.Ordinal))
            {
                failures.Add($"{RegistryTokenOptions.SectionName}:Realm: the token endpoint's path '{path}' must not be '/' nor under /v2.");
            }
        }

        if (failures.Count == 0 && keys.Load(options) is { IsValid: false } load)
        {
            failures.Add($"{RegistryTokenOptions.SectionName}:SigningKey/Certificate: {load.Error}");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
