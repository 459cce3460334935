using Gateway.Edge.Access.Identify.Htpasswd;
using Gateway.Edge.Access.Identify.Passwords;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Access.Identify.Ldap;

/// <summary>
/// Users of an LDAP directory or Active Directory (<see cref="LdapOptions"/>), through the grains' credential cache: the
/// directory is asked only when the user's grain has not seen the credential verified within <c>Gateway:Ldap:CacheTtl</c>
/// (one bind per user per cache lifetime for the whole cluster), and never while a lock refuses it. The user's groups
/// are the label <c>group</c>. It takes every Basic credential except machine accounts' and the names of the htpasswd
/// file (local accounts, such as a break-glass administrator, stay the file's), so list it before <c>htpasswd</c> in
/// <c>Gateway:Auth:Providers</c>; an unknown user then costs a bind and answers exactly as a wrong password.
/// </summary>
public sealed class LdapIdentityProvider(
    GrainCachedPasswords passwords,
    LdapCredentialVerifier verifier,
    HtpasswdStore htpasswd,
    IOptions<AuthOptions> auth) : IIdentityProvider
{
    /// <summary>The name in <c>Gateway:Auth:Providers</c>.</summary>
    public const string ProviderName = "ldap";

    /// <inheritdoc />
    public string Name => ProviderName;

    /// <inheritdoc />
    public ValueTask<IdentityResult> IdentifyAsync(AccessRequest request, CancellationToken cancellationToken)
    {
        if (request.Basic is not { } credentials
            || auth.Value.MachineAccountOf(credentials.UserName) is not null
            || htpasswd.Current.Find(credentials.UserName) is not null)
        {
            return ValueTask.FromResult(IdentityResult.NotMine);
        }

        return passwords.IdentifyAsync(request, credentials.UserName, credentials, verifier, cancellationToken);
    }
}
