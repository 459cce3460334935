using Gateway.Edge.Access.Admit;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Access.Identify.Ldap;

/// <summary>Checks <see cref="LdapOptions"/> at start-up; each message names its key. Nothing is checked while LDAP is off.</summary>
public sealed class LdapOptionsValidator(IOptions<GrainCallOptions> cluster, IOptions<AuthOptions>? auth = null) : IValidateOptions<LdapOptions>
{
    private const string Section = LdapOptions.SectionName;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, LdapOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var listed = auth?.Value.ProviderOrder.Contains(LdapIdentityProvider.ProviderName, StringComparer.Ordinal) ?? options.IsEnabled;
        if (!options.IsEnabled)
        {
            return listed
                ? ValidateOptionsResult.Fail($"{AuthOptions.SectionName}:Providers lists '{LdapIdentityProvider.ProviderName}' but {Section}:Servers is empty: set the directory's servers, or remove it from the list.")
                : ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        if (!listed)
        {
            failures.Add($"{Section} is configured but {AuthOptions.SectionName}:Providers does not list '{LdapIdentityProvider.ProviderName}': list the providers in their order, e.g. {AuthOptions.SectionName}:Providers:0=machine-accounts, :1={LdapIdentityProvider.ProviderName}, :2=htpasswd.");
        }

        for (var i = 0; i < options.Servers.Count; i++)
        {
            if (!LdapServerAddress.TryParse(options.Servers[i], out _, out var error))
            {
                failures.Add($"{Section}:Servers:{i}: {error}.");
            }
        }

        if (!IsDn(options.BaseDn))
        {
            failures.Add($"{Section}:BaseDn is required: the DN users are searched under, e.g. dc=example,dc=com.");
        }

        if (options.IsDirectBind)
        {
            if (!options.DnTemplate!.Contains(LdapOptions.AccountPlaceholder, StringComparison.Ordinal) || !IsDn(options.DnTemplate))
            {
                failures.Add($"{Section}:DnTemplate must be a DN with {LdapOptions.AccountPlaceholder}, e.g. uid={LdapOptions.AccountPlaceholder},ou=people,dc=example,dc=com.");
            }
        }
        else if (!IsFilter(options.UserFilter) || !options.UserFilter.Contains(LdapOptions.AccountPlaceholder, StringComparison.Ordinal))
        {
            failures.Add($"{Section}:UserFilter must be a parenthesized LDAP filter with {LdapOptions.AccountPlaceholder}, e.g. (uid={LdapOptions.AccountPlaceholder}) (was '{options.UserFilter}').");
        }

        if (!string.IsNullOrWhiteSpace(options.BindDn) && !IsDn(options.BindDn))
        {
            failures.Add($"{Section}:BindDn must be a DN, e.g. cn=registry-gateway,ou=services,dc=example,dc=com.");
        }

        if (!string.IsNullOrWhiteSpace(options.BindDn) && string.IsNullOrWhiteSpace(options.BindPasswordFile))
        {
            failures.Add($"{Section}:BindPasswordFile is required with BindDn: a file holding the service account's password (there is no key for the password itself).");
        }
        else if (!string.IsNullOrWhiteSpace(options.BindPasswordFile) && !File.Exists(options.BindPasswordFile))
        {
            failures.Add($"{Section}:BindPasswordFile: file '{Path.GetFullPath(options.BindPasswordFile)}' does not exist.");
        }
        else if (!string.IsNullOrWhiteSpace(options.BindPasswordFile) && LdapCredentialVerifier.ReadPasswordFile(options.BindPasswordFile).Length == 0)
        {
            failures.Add($"{Section}:BindPasswordFile: file '{Path.GetFullPath(options.BindPasswordFile)}' is empty (an empty password would be an anonymous bind).");
        }

        if (!string.IsNullOrWhiteSpace(options.GroupFilter)
            && (!IsFilter(options.GroupFilter)
                || !(options.GroupFilter.Contains(LdapOptions.DnPlaceholder, StringComparison.Ordinal) || options.GroupFilter.Contains(LdapOptions.AccountPlaceholder, StringComparison.Ordinal))))
        {
            failures.Add($"{Section}:GroupFilter must be a parenthesized LDAP filter with {LdapOptions.DnPlaceholder} or {LdapOptions.AccountPlaceholder}, e.g. (member={LdapOptions.DnPlaceholder}) (was '{options.GroupFilter}').");
        }

        if (!string.IsNullOrWhiteSpace(options.GroupBaseDn) && !IsDn(options.GroupBaseDn))
        {
            failures.Add($"{Section}:GroupBaseDn must be a DN.");
        }

        foreach (var (key, attribute) in new[] { ("GroupAttribute", options.GroupAttribute), ("GroupNameAttribute", (string?)options.GroupNameAttribute) })
        {
            if (attribute is not null && (attribute.Length == 0 || attribute.Length > 64 || !attribute.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or ';' or '.')))
            {
                failures.Add($"{Section}:{key} must be an attribute name such as memberOf or cn (was '{attribute}').");
            }
        }

        var needsTls = options.StartTls || options.Servers.Any(s => s.TrimStart().StartsWith("ldaps:", StringComparison.OrdinalIgnoreCase));
        if (!string.IsNullOrWhiteSpace(options.CaFile))
        {
            try
            {
                LdapTrustDirectory.ReadCertificates(options.CaFile);
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                failures.Add($"{Section}:CaFile: {ex.Message}");
            }
        }
        else if (needsTls)
        {
            failures.Add($"{Section}:CaFile is required with ldaps:// or StartTls: the PEM file of the CA that issued the directory's certificate.");
        }

        if (options.StartTls && options.Servers.All(s => s.TrimStart().StartsWith("ldaps:", StringComparison.OrdinalIgnoreCase)))
        {
            failures.Add($"{Section}:StartTls applies to ldap:// servers; every server is ldaps:// (TLS already): remove StartTls.");
        }

        Range(failures, "CacheTtl", options.CacheTtl, TimeSpan.Zero, TimeSpan.FromDays(1));
        Range(failures, "OutageGrace", options.OutageGrace, TimeSpan.Zero, TimeSpan.FromDays(7));
        Range(failures, "Timeout", options.Timeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1));
        Range(failures, "BreakDuration", options.BreakDuration, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        if (options.FailuresToOpen is < 1 or > 100)
        {
            failures.Add($"{Section}:FailuresToOpen must be between 1 and 100 (was {options.FailuresToOpen}).");
        }

        if (options.PoolSize is < 0 or > 64)
        {
            failures.Add($"{Section}:PoolSize must be between 0 and 64 (was {options.PoolSize}).");
        }

        if (options.MaxConcurrentOperations is < 1 or > 256)
        {
            failures.Add($"{Section}:MaxConcurrentOperations must be between 1 and 256 (was {options.MaxConcurrentOperations}).");
        }

        // Every server may take its whole Timeout before the last one answers: that must fit the request's bound.
        var worst = options.Timeout * Math.Max(1, options.Servers.Count);
        var bound = cluster.Value.ResponseTimeout;
        if (worst >= bound)
        {
            failures.Add($"{Section}:Timeout ({options.Timeout}) times {options.Servers.Count} server(s) is {worst}, not within {GrainCallOptions.SectionName}:ResponseTimeout ({bound}): lower the Timeout or raise the ResponseTimeout.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Range(List<string> failures, string key, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            failures.Add($"{Section}:{key} must be between {min} and {max} (was {value}).");
        }
    }

    /// <summary>A DN as configured: attribute=value pairs separated by commas (a loose check; the server has the last word).</summary>
    private static bool IsDn(string? text) =>
        !string.IsNullOrWhiteSpace(text) && text.Contains('=', StringComparison.Ordinal) && !text.Any(char.IsControl)
        && text.Split(',').All(part => part.Contains('=', StringComparison.Ordinal) || part.EndsWith('\\'));

    /// <summary>A filter as configured: parenthesized, with balanced parentheses.</summary>
    private static bool IsFilter(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text[0] != '(' || text[^1] != ')' || text.Any(char.IsControl))
        {
            return false;
        }

        var depth = 0;
        foreach (var c in text)
        {
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            if (depth < 0)
            {
                return false;
            }
        }

        return depth == 0;
    }
}
