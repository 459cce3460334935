using Microsoft.Extensions.Options;

namespace Gateway.Edge.Access;

/// <summary>Checks <see cref="AuthOptions"/> at start-up; each message names its key.</summary>
/// <param name="providers">The identity providers registered (<see cref="AccessServiceCollectionExtensions.AddIdentityProvider{TProvider}"/>).</param>
public sealed class AuthOptionsValidator(IEnumerable<IdentityProviderRegistration> providers) : IValidateOptions<AuthOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.HtpasswdFile))
        {
            failures.Add($"{AuthOptions.SectionName}:HtpasswdFile is required: the path of an htpasswd file made with 'htpasswd -B'.");
        }
        else if (!File.Exists(options.HtpasswdFile))
        {
            failures.Add($"{AuthOptions.SectionName}:HtpasswdFile: file '{Path.GetFullPath(options.HtpasswdFile)}' does not exist.");
        }

        if (!string.IsNullOrWhiteSpace(options.AclFile) && !File.Exists(options.AclFile))
        {
            failures.Add($"{AuthOptions.SectionName}:AclFile: file '{Path.GetFullPath(options.AclFile)}' does not exist.");
        }

        if (options.Anonymous && string.IsNullOrWhiteSpace(options.AclFile))
        {
            failures.Add($"{AuthOptions.SectionName}:Anonymous needs {AuthOptions.SectionName}:AclFile: without an ACL an anonymous client could do everything.");
        }

        if (!string.Equals(options.Mode, "basic", StringComparison.OrdinalIgnoreCase) && !options.IsTokenMode)
        {
            failures.Add($"{AuthOptions.SectionName}:Mode must be 'basic' or 'token' (was '{options.Mode}').");
        }

        if (string.IsNullOrWhiteSpace(options.Realm) || options.Realm.Any(char.IsControl))
        {
            failures.Add($"{AuthOptions.SectionName}:Realm must be a non-empty printable string.");
        }

        if (string.IsNullOrEmpty(options.MachineAccountPrefix) || options.MachineAccountPrefix.Length > 32
            || options.MachineAccountPrefix.Any(c => c == ':' || char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            failures.Add($"{AuthOptions.SectionName}:MachineAccountPrefix must be 1 to 32 printable characters without ':' or spaces (was '{options.MachineAccountPrefix}').");
        }

        if (options.CacheTtl < TimeSpan.Zero || options.CacheTtl > TimeSpan.FromDays(1))
        {
            failures.Add($"{AuthOptions.SectionName}:CacheTtl must be between 00:00:00 and 1.00:00:00 (was {options.CacheTtl}).");
        }

        if (options.ReloadInterval < TimeSpan.FromMilliseconds(100) || options.ReloadInterval > TimeSpan.FromHours(1))
        {
            failures.Add($"{AuthOptions.SectionName}:ReloadInterval must be between 00:00:00.1 and 01:00:00 (was {options.ReloadInterval}).");
        }

        var known = providers.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var listed = options.ProviderOrder;
        foreach (var provider in listed.Where(p => !known.Contains(p)))
        {
            failures.Add($"{AuthOptions.SectionName}:Providers: unknown provider '{provider}'; known: {string.Join(", ", known.Order(StringComparer.Ordinal))}.");
        }

        if (listed.Distinct(StringComparer.Ordinal).Count() != listed.Count)
        {
            failures.Add($"{AuthOptions.SectionName}:Providers names a provider twice ({string.Join(", ", listed)}).");
        }

        if (options.MaxConcurrentVerifications is < 0 or > 1024)
        {
            failures.Add($"{AuthOptions.SectionName}:MaxConcurrentVerifications must be between 0 and 1024 (was {options.MaxConcurrentVerifications}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
