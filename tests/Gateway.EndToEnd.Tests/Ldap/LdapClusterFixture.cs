using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.EndToEnd.Tests.Ldap;

/// <summary>
/// A registry, Redis, two private slapd servers with the same users (a primary and a secondary) and three gateway
/// nodes (role all, clustered through Redis, HTTPS) whose identities come from the directory (search then bind over
/// StartTLS, the service account's password from a file, groups from <c>memberOf</c>) next to an htpasswd file and
/// machine accounts (<c>Gateway:Auth:Providers</c>: machine-accounts, ldap, htpasswd). The ACL grants <c>ci/*</c> push
/// to the group <c>ci</c> only. Users: alice (ci), bob (no group), load users <c>load00</c>… and the htpasswd user
/// <c>local</c>; passwords NAME-pw.
/// </summary>
public sealed class LdapClusterFixture : IAsyncLifetime
{
    public const int LoadUsers = 50;
    public const string LocalUser = "local";
    public const string LocalPassword = "local-pw";
    public const string TokenService = "registry";

    /// <summary>Users that one test each uses alone (its caches and lockouts stay its own): PREFIX-pw passwords.</summary>
    public static readonly string[] OwnUsers = ["wrong-pw", "spray", "failover", "seen", "newcomer", "latency"];

    /// <summary>The ACL of the nodes: group ci pushes to ci/*, every user owns NAME/* and pulls everything else.</summary>
    public const string Acl = """
        acl:
          - match: {labels: {group: ci}, name: "ci/*"}
            actions: [pull, push]
          - match: {account: "/.+/", name: "${account}/*"}
            actions: ["*"]
          - match: {account: "/.+/", name: "${labels:group}-team/*"}
            actions: [pull, push]
          - match: {account: "/.+/"}
            actions: [pull]
        """;

    public TempDirectory Temp { get; } = TempDirectory.Create();

    public TestPki Pki { get; private set; } = null!;

    public RegistryServer Registry { get; private set; } = null!;

    public RedisServer Redis { get; private set; } = null!;

    public LdapDirectory Primary { get; private set; } = null!;

    public LdapDirectory Secondary { get; private set; } = null!;

    public GatewayCluster Cluster { get; private set; } = null!;

    /// <summary>The LDAP cache lifetime of the nodes (the outage test adds a node with a short one).</summary>
    public static TimeSpan CacheTtl => TimeSpan.FromMinutes(5);

    /// <summary>The response bound of the nodes: a request never waits longer for an answer.</summary>
    public static TimeSpan ResponseTimeout => TimeSpan.FromSeconds(10);

    public static string LoadUser(int i) => "load" + i.ToString("00", CultureInfo.InvariantCulture);

    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    public async Task InitializeAsync()
    {
        Pki = TestPki.Create(Temp);
        Primary = await LdapDirectory.StartAsync(Temp, Pki);
        Secondary = await LdapDirectory.StartAsync(Temp, Pki);
        foreach (var directory in new[] { Primary, Secondary })
        {
            await directory.AddUsersAsync([
                ("alice", "alice-pw"), ("bob", "bob-pw"), ("carol", "carol-pw"),
                .. OwnUsers.Select(u => (u, u + "-pw")),
                .. Enumerable.Range(0, LoadUsers).Select(i => (LoadUser(i), LoadUser(i) + "-pw"))]);
            await directory.AddGroupAsync("ci", "alice");
            await directory.AddGroupAsync("web", "carol");
        }

        // The nodes read the primary's password file: the secondary's service account gets the same password.
        await Secondary.AddAsync($"""
            dn: {LdapDirectory.ServiceDn}
            changetype: modify
            replace: userPassword
            userPassword: {Primary.ServicePassword}
            """);
        await File.WriteAllTextAsync(Temp.Combine("acl.yml"), Acl);
        await Htpasswd.CreateAsync(Temp.Combine("htpasswd"), Htpasswd.MinimumCost, (LocalUser, LocalPassword));
        using (var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256))
        {
            await File.WriteAllTextAsync(Temp.Combine("token.key"), key.ExportPkcs8PrivateKeyPem());
        }

        Registry = await RegistryServer.StartAsync(Temp);
        Redis = await RedisServer.StartAsync(Temp);
        Cluster = await GatewayCluster.StartAsync(3, Redis, Template());
    }

    /// <summary>The nodes' settings (a new cluster id and secret each call: the cluster's template is <c>Cluster.Template</c>).</summary>
    private GatewayNodeOptions Template() => new GatewayNodeOptions
    {
        BackendUrls = [Registry.BaseUrl.ToString().TrimEnd('/')],
        HtpasswdFile = Temp.Combine("htpasswd"),
        LogLevelGateway = "Debug",
        Environment = new Dictionary<string, string?>
        {
            ["Gateway__Auth__AclFile"] = Temp.Combine("acl.yml"),
            ["Gateway__Token__SigningKey"] = Temp.Combine("token.key"),
            ["Gateway__Token__Issuer"] = "ldap-e2e-issuer",
            ["Gateway__Token__Service"] = TokenService,
            ["Gateway__Auth__Providers__0"] = "machine-accounts",
            ["Gateway__Auth__Providers__1"] = "ldap",
            ["Gateway__Auth__Providers__2"] = "htpasswd",
            ["Gateway__Cluster__ResponseTimeout"] = ResponseTimeout.ToString("c", CultureInfo.InvariantCulture),
            ["Gateway__Ldap__Servers__0"] = Primary.Url,
            ["Gateway__Ldap__Servers__1"] = Secondary.Url,
            ["Gateway__Ldap__StartTls"] = "true",
            ["Gateway__Ldap__CaFile"] = Pki.CaCertificatePath,
            ["Gateway__Ldap__BaseDn"] = LdapDirectory.BaseDn,
            ["Gateway__Ldap__BindDn"] = LdapDirectory.ServiceDn,
            ["Gateway__Ldap__BindPasswordFile"] = Primary.ServicePasswordFile,
            ["Gateway__Ldap__UserFilter"] = "(&(objectClass=inetOrgPerson)(uid=${account}))",
            ["Gateway__Ldap__GroupAttribute"] = "memberOf",
            ["Gateway__Ldap__Timeout"] = "00:00:02",
            ["Gateway__Ldap__BreakDuration"] = "00:00:02",
            ["Gateway__Ldap__CacheTtl"] = CacheTtl.ToString("c", CultureInfo.InvariantCulture),
            ["Gateway__Ldap__OutageGrace"] = "01:00:00",
        },
    }.WithTls(Pki).WithRedis(Redis);

    /// <summary>Successful user binds on both directories.</summary>
    public async Task<int> SuccessfulUserBindsAsync()
    {
        await Task.WhenAll(Settle(Primary), Settle(Secondary));
        return Primary.SuccessfulUserBinds() + Secondary.SuccessfulUserBinds();
    }

    /// <summary>The LDAP warnings and errors the nodes logged (event ids 1602–1606), for a test's output.</summary>
    public string LdapProblems() => string.Join('\n', Cluster.Nodes.SelectMany(n => n.Process.Lines).Where(l => l.Contains("LDAP", StringComparison.Ordinal) && (l.Contains("warn", StringComparison.OrdinalIgnoreCase) || l.Contains("fail", StringComparison.OrdinalIgnoreCase) || l.Contains("No LDAP", StringComparison.Ordinal))).TakeLast(40));

    /// <summary>Binds of one DN on both directories, successful or not.</summary>
    public async Task<int> BindsOfAsync(string dn)
    {
        await Task.WhenAll(Settle(Primary), Settle(Secondary));
        return Primary.BindsOf(dn) + Secondary.BindsOf(dn);
    }

    public async Task DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }

        foreach (var disposable in new IAsyncDisposable?[] { Registry, Redis, Primary, Secondary })
        {
            if (disposable is not null)
            {
                await disposable.DisposeAsync();
            }
        }

        Pki?.Dispose();
        Temp.Dispose();
    }

    private static Task Settle(LdapDirectory directory) => directory.IsRunning ? directory.SettleAsync() : Task.CompletedTask;
}
