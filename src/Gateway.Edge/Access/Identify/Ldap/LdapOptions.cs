namespace Gateway.Edge.Access.Identify.Ldap;

/// <summary>
/// An LDAP or Active Directory identity source (section <c>Gateway:Ldap</c>). Two ways to find the user:
/// <b>search then bind</b> (the default: bind as the service account <see cref="BindDn"/>, search <see cref="BaseDn"/>
/// with <see cref="UserFilter"/>, then bind as the entry found with the user's password) or <b>direct bind</b>
/// (<see cref="DnTemplate"/> set: bind as that DN, no service account). The user's groups become the label
/// <c>group</c> for the ACL. Off unless <see cref="Servers"/> is set.
/// </summary>
public sealed class LdapOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Gateway:Ldap";

    /// <summary>The placeholder for the user name in <see cref="UserFilter"/>, <see cref="DnTemplate"/> and <see cref="GroupFilter"/>.</summary>
    public const string AccountPlaceholder = "${account}";

    /// <summary>The placeholder for the user's DN in <see cref="GroupFilter"/>.</summary>
    public const string DnPlaceholder = "${dn}";

    /// <summary>
    /// Directory servers, tried in this order: <c>ldap://host[:389]</c> or <c>ldaps://host[:636]</c>. A server that
    /// fails <see cref="FailuresToOpen"/> times in a row is skipped for <see cref="BreakDuration"/> (circuit breaker).
    /// Empty (the default): no LDAP source.
    /// </summary>
    public List<string> Servers { get; set; } = [];

    /// <summary>Where users (and, without <see cref="GroupBaseDn"/>, groups) are searched, e.g. <c>dc=example,dc=com</c>.</summary>
    public string? BaseDn { get; set; }

    /// <summary>The service account of search-then-bind, e.g. <c>cn=registry-gateway,ou=services,dc=example,dc=com</c>; unset: anonymous search.</summary>
    public string? BindDn { get; set; }

    /// <summary>
    /// A file holding the service account's password (a compose or Kubernetes secret); required with <see cref="BindDn"/>.
    /// One trailing newline is ignored. There is no key for the password itself, so it is never in configuration dumps or logs.
    /// </summary>
    public string? BindPasswordFile { get; set; }

    /// <summary>
    /// The search for a user, with <c>${account}</c> (escaped as RFC 4515 requires, so a name such as <c>*)(uid=*</c>
    /// is a literal). Default: <c>(uid=${account})</c>; Active Directory: <c>(&amp;(sAMAccountName=${account})(objectClass=user))</c>.
    /// </summary>
    public string UserFilter { get; set; } = "(uid=${account})";

    /// <summary>
    /// Direct bind: the user's DN with <c>${account}</c> (escaped as RFC 4514 requires), e.g.
    /// <c>uid=${account},ou=people,dc=example,dc=com</c>. Set, it replaces search-then-bind.
    /// </summary>
    public string? DnTemplate { get; set; }

    /// <summary>
    /// An attribute of the user's entry that lists its groups as DNs, e.g. <c>memberOf</c>; each DN is reduced to the
    /// value of its first component (<c>cn=ci,ou=groups,…</c> → <c>ci</c>). Unset: not read.
    /// </summary>
    public string? GroupAttribute { get; set; }

    /// <summary>
    /// A search for the user's groups, with <c>${dn}</c> (the user's DN) and <c>${account}</c>, both escaped: e.g.
    /// <c>(member=${dn})</c> (groupOfNames) or <c>(memberUid=${account})</c> (posixGroup). Each entry found adds
    /// its <see cref="GroupNameAttribute"/>. Unset: no search.
    /// </summary>
    public string? GroupFilter { get; set; }

    /// <summary>Where <see cref="GroupFilter"/> searches. Default: <see cref="BaseDn"/>.</summary>
    public string? GroupBaseDn { get; set; }

    /// <summary>The attribute naming a group found by <see cref="GroupFilter"/>. Default: <c>cn</c>.</summary>
    public string GroupNameAttribute { get; set; } = "cn";

    /// <summary>
    /// PEM file of the CA certificate(s) the servers' certificates must chain to, for <c>ldaps://</c> and
    /// <see cref="StartTls"/>; the name in the certificate must match the server's host. Read at start.
    /// </summary>
    public string? CaFile { get; set; }

    /// <summary>Upgrade <c>ldap://</c> connections with StartTLS before anything is sent (a failed upgrade is never sent in clear). Default: false.</summary>
    public bool StartTls { get; set; }

    /// <summary>
    /// How long a verified credential and its groups are answered from the user grain before the directory is asked
    /// again. Default: 5 minutes. Zero: a bind on every request (docker_auth's model); <see cref="OutageGrace"/> still holds.
    /// </summary>
    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// While the directory cannot be reached, a credential verified within this long (counted from the end of its
    /// <see cref="CacheTtl"/>) keeps working with its last groups; everyone else gets 503. Default: 1 hour; zero: none.
    /// </summary>
    public TimeSpan OutageGrace { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The bound on one server's part of a verification (connect, TLS, binds and searches). A server past it counts a
    /// failure and the next one is tried; all servers together stay within <c>Gateway:Cluster:ResponseTimeout</c>.
    /// Default: 3 seconds.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Consecutive failures of one server that open its circuit breaker. Default: 2.</summary>
    public int FailuresToOpen { get; set; } = 2;

    /// <summary>How long an open server is skipped before one verification tries it again. Default: 10 seconds.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Service-account connections kept open per server for searches. Default: 4.</summary>
    public int PoolSize { get; set; } = 4;

    /// <summary>Directory operations at once per edge (each holds a thread while libldap waits); more wait. Default: 16.</summary>
    public int MaxConcurrentOperations { get; set; } = 16;

    /// <summary>True when an LDAP source is configured.</summary>
    public bool IsEnabled => Servers.Count > 0;

    /// <summary>True for direct bind (<see cref="DnTemplate"/> set).</summary>
    public bool IsDirectBind => !string.IsNullOrWhiteSpace(DnTemplate);
}
