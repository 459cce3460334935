namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>One BIND in slapd's log.</summary>
/// <param name="Dn">The DN bound as.</param>
/// <param name="ResultCode">The LDAP result: 0 success, 49 invalid credentials.</param>
public sealed record LdapBind(string Dn, int ResultCode)
{
    /// <summary>True for result 0.</summary>
    public bool Succeeded => ResultCode == 0;
}
