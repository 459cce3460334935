using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A private OpenLDAP directory: Debian's <c>slapd</c> in the foreground with its own configuration and MDB database
/// under a temporary folder (nothing under /etc/ldap is read but the stock schema files, the system slapd is not
/// touched), listening on 127.0.0.1 with <c>ldap://</c> (StartTLS offered) and <c>ldaps://</c>, its certificate
/// issued by the tests' <see cref="TestPki"/>. Entries are loaded with <c>ldapadd</c>: the suffix
/// <see cref="BaseDn"/>, <c>ou=people</c>, <c>ou=groups</c> (groupOfNames, <c>memberOf</c> maintained by the
/// memberof overlay) and the service account <see cref="ServiceDn"/>. Log level <c>stats</c>: every BIND and its
/// result appears in the log, so tests count binds (<see cref="Binds"/>). Stopped and started again on the same
/// ports and database (<see cref="StopAsync"/>, <see cref="StartAsync()"/>) to play an outage.
/// </summary>
public sealed partial class LdapDirectory : IAsyncDisposable
{
    /// <summary>The directory's suffix.</summary>
    public const string BaseDn = "dc=example,dc=test";

    /// <summary>The read-only service account a search-then-bind gateway binds as.</summary>
    public const string ServiceDn = "cn=registry-gateway,ou=services," + BaseDn;

    /// <summary>The subtree of users (<c>uid=NAME,ou=people,…</c>).</summary>
    public const string PeopleDn = "ou=people," + BaseDn;

    /// <summary>The subtree of groups (<c>cn=NAME,ou=groups,…</c>).</summary>
    public const string GroupsDn = "ou=groups," + BaseDn;

    private const string AdminDn = "cn=admin," + BaseDn;

    private readonly string _directory;
    private readonly string _configPath;
    private readonly string _adminPassword = Guid.NewGuid().ToString("N");
    private readonly List<ManagedProcess> _previous = [];
    private ManagedProcess? _process;

    private LdapDirectory(string directory, int port, int tlsPort, TestPki pki, string servicePassword)
    {
        _directory = directory;
        Port = port;
        TlsPort = tlsPort;
        Pki = pki;
        ServicePassword = servicePassword;
        ServicePasswordFile = Path.Combine(directory, "service-password");
        _configPath = Path.Combine(directory, "slapd.conf");
    }

    /// <summary>The port of <c>ldap://</c> (plain, StartTLS offered).</summary>
    public int Port { get; }

    /// <summary>The port of <c>ldaps://</c>.</summary>
    public int TlsPort { get; }

    /// <summary><c>ldap://127.0.0.1:PORT</c>.</summary>
    public string Url => string.Create(CultureInfo.InvariantCulture, $"ldap://127.0.0.1:{Port}");

    /// <summary><c>ldaps://127.0.0.1:TLSPORT</c>.</summary>
    public string TlsUrl => string.Create(CultureInfo.InvariantCulture, $"ldaps://127.0.0.1:{TlsPort}");

    /// <summary>The PKI whose root signed the server certificate (<see cref="TestPki.CaCertificatePath"/>).</summary>
    public TestPki Pki { get; }

    /// <summary>The service account's password.</summary>
    public string ServicePassword { get; }

    /// <summary>A file holding <see cref="ServicePassword"/> (mode 0600), for <c>Gateway:Ldap:BindPasswordFile</c>.</summary>
    public string ServicePasswordFile { get; }

    /// <summary>True while slapd runs.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Every log line so far, over every start.</summary>
    public IReadOnlyList<string> Log => [.. _previous.SelectMany(p => p.Lines), .. _process?.Lines ?? []];

    /// <summary>Starts a directory with the base entries and the service account.</summary>
    public static async Task<LdapDirectory> StartAsync(TempDirectory temp, TestPki pki)
    {
        var port = FreePort.Next();
        var directory = temp.CreateSubdirectory($"slapd-{port}");
        Directory.CreateDirectory(Path.Combine(directory, "db"));
        var ldap = new LdapDirectory(directory, port, FreePort.Next(), pki, "svc-" + Guid.NewGuid().ToString("N"));
        var secret = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            secret.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var writer = new StreamWriter(ldap.ServicePasswordFile, secret))
        {
            await writer.WriteAsync(ldap.ServicePassword).ConfigureAwait(false);
        }

        await File.WriteAllTextAsync(ldap._configPath, ldap.Configuration()).ConfigureAwait(false);
        try
        {
            await ldap.StartAsync().ConfigureAwait(false);
            await ldap.AddAsync($"""
                dn: {BaseDn}
                objectClass: dcObject
                objectClass: organization
                o: Example
                dc: example

                dn: {PeopleDn}
                objectClass: organizationalUnit
                ou: people

                dn: {GroupsDn}
                objectClass: organizationalUnit
                ou: groups

                dn: ou=services,{BaseDn}
                objectClass: organizationalUnit
                ou: services

                dn: {ServiceDn}
                objectClass: applicationProcess
                objectClass: simpleSecurityObject
                cn: registry-gateway
                userPassword: {ldap.ServicePassword}
                """).ConfigureAwait(false);
            return ldap;
        }
        catch
        {
            await ldap.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The DN of user <paramref name="uid"/>.</summary>
    public static string UserDn(string uid) => $"uid={uid},{PeopleDn}";

    /// <summary>The DN of group <paramref name="cn"/>.</summary>
    public static string GroupDn(string cn) => $"cn={cn},{GroupsDn}";

    /// <summary>Starts slapd again (same ports, same database) after <see cref="StopAsync"/>; waits until both ports accept.</summary>
    public async Task StartAsync()
    {
        if (IsRunning)
        {
            return;
        }

        if (_process is not null)
        {
            _previous.Add(_process);
        }

        _process = ManagedProcess.Start(
            "slapd",
            ["-f", _configPath, "-h", $"{Url}/ {TlsUrl}/", "-d", "256"],
            workingDirectory: _directory,
            name: "slapd");
        await Poll.UntilAsync(
            async ct => await AcceptsAsync(Port, ct).ConfigureAwait(false) && await AcceptsAsync(TlsPort, ct).ConfigureAwait(false),
            TimeSpan.FromSeconds(30),
            $"slapd to accept on {Port} and {TlsPort}",
            _process).ConfigureAwait(false);
    }

    /// <summary>Stops slapd (SIGTERM); the ports refuse connections until <see cref="StartAsync()"/>.</summary>
    public async Task StopAsync()
    {
        if (_process is not null)
        {
            await _process.StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
    }

    /// <summary>Adds users (inetOrgPerson, <c>uid</c>, cleartext <c>userPassword</c>) in one <c>ldapadd</c>.</summary>
    public Task AddUsersAsync(IEnumerable<(string Uid, string Password)> users)
    {
        var ldif = new StringBuilder();
        foreach (var (uid, password) in users)
        {
            ldif.Append(CultureInfo.InvariantCulture, $"""
                dn: {UserDn(uid)}
                objectClass: inetOrgPerson
                uid: {uid}
                cn: {uid}
                sn: {uid}
                userPassword: {password}


                """);
        }

        return AddAsync(ldif.ToString());
    }

    /// <summary>Adds a user without a password: a disabled account, whose binds fail like a wrong password.</summary>
    public Task AddDisabledUserAsync(string uid) => AddAsync($"""
        dn: {UserDn(uid)}
        objectClass: inetOrgPerson
        uid: {uid}
        cn: {uid}
        sn: {uid}
        """);

    /// <summary>Adds a group (groupOfNames) with members given by uid; the memberof overlay sets their <c>memberOf</c>.</summary>
    public Task AddGroupAsync(string cn, params string[] memberUids)
    {
        var ldif = new StringBuilder($"dn: {GroupDn(cn)}\nobjectClass: groupOfNames\ncn: {cn}\n");
        // groupOfNames needs a member: an empty group lists the suffix instead.
        foreach (var member in memberUids.Length == 0 ? [BaseDn] : memberUids.Select(UserDn))
        {
            ldif.Append(CultureInfo.InvariantCulture, $"member: {member}\n");
        }

        return AddAsync(ldif.ToString());
    }

    /// <summary>Runs <c>ldapadd</c> as the directory's administrator with <paramref name="ldif"/> on standard input.</summary>
    public async Task AddAsync(string ldif)
    {
        var result = await CommandRunner.RunAsync(
            "ldapadd",
            ["-x", "-H", Url, "-D", AdminDn, "-w", _adminPassword],
            TimeSpan.FromSeconds(60),
            standardInput: ldif).ConfigureAwait(false);
        result.EnsureSuccess();
    }

    /// <summary>
    /// Waits until the log holds every line of the operations already answered: slapd's output reaches the test
    /// through a pipe, a moment after the client got its answer. Run it before reading <see cref="Binds"/>.
    /// </summary>
    public async Task SettleAsync()
    {
        var marker = "settle" + Guid.NewGuid().ToString("N");
        await CommandRunner.RunAsync(
            "ldapsearch",
            ["-x", "-H", Url, "-b", string.Empty, "-s", "base", $"(description={marker})", "1.1"],
            TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        await _process!.WaitForLineAsync(l => l.Contains(marker, StringComparison.Ordinal), TimeSpan.FromSeconds(10)).ConfigureAwait(false);
    }

    /// <summary>
    /// Every BIND the log shows with its result, in order (over every start): the DN (empty for an anonymous bind)
    /// and the LDAP result code (0 success, 49 invalid credentials). The administrator's and anonymous binds (the
    /// fixture's own tools, <see cref="SettleAsync"/>) are left out.
    /// </summary>
    public IReadOnlyList<LdapBind> Binds()
    {
        var pending = new Dictionary<string, string>(StringComparer.Ordinal);
        var binds = new List<LdapBind>();
        foreach (var line in Log)
        {
            var bind = BindLine().Match(line);
            if (bind.Success)
            {
                pending[bind.Groups["op"].Value] = bind.Groups["dn"].Value;
                continue;
            }

            var result = BindResultLine().Match(line);
            if (result.Success && pending.Remove(result.Groups["op"].Value, out var dn) && dn != AdminDn && dn.Length > 0)
            {
                binds.Add(new LdapBind(dn, int.Parse(result.Groups["err"].Value, CultureInfo.InvariantCulture)));
            }
        }

        return binds;
    }

    /// <summary>Successful binds as users (under <c>ou=people</c>).</summary>
    public int SuccessfulUserBinds() => Binds().Count(b => b.Succeeded && b.Dn.EndsWith("," + PeopleDn, StringComparison.OrdinalIgnoreCase));

    /// <summary>Binds of one DN, successful or not.</summary>
    public int BindsOf(string dn) => Binds().Count(b => string.Equals(b.Dn, dn, StringComparison.OrdinalIgnoreCase));

    /// <summary>The search filters the log shows, in order (what a client really sent, after its escaping).</summary>
    public IReadOnlyList<string> SearchFilters() =>
        [.. Log.Select(l => SearchLine().Match(l)).Where(m => m.Success).Select(m => m.Groups["filter"].Value)];

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var previous in _previous)
        {
            await previous.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task<bool> AcceptsAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private string Configuration() => $"""
        # Written by the end-to-end tests; nothing here refers to the system's slapd.
        include /etc/ldap/schema/core.schema
        include /etc/ldap/schema/cosine.schema
        include /etc/ldap/schema/inetorgperson.schema
        include /etc/ldap/schema/nis.schema
        modulepath /usr/lib/ldap
        moduleload back_mdb
        moduleload memberof
        pidfile {Path.Combine(_directory, "slapd.pid")}
        argsfile {Path.Combine(_directory, "slapd.args")}
        TLSCertificateFile {Pki.ServerCertificatePath}
        TLSCertificateKeyFile {Pki.ServerKeyPath}
        loglevel stats

        database mdb
        suffix "{BaseDn}"
        rootdn "{AdminDn}"
        rootpw {_adminPassword}
        directory {Path.Combine(_directory, "db")}
        maxsize 67108864
        overlay memberof
        access to attrs=userPassword
          by anonymous auth
          by self write
          by * none
        access to *
          by users read
          by * none
        """;

    [GeneratedRegex("""(?<op>conn=\d+ op=\d+) BIND dn="(?<dn>[^"]*)" method=""")]
    private static partial Regex BindLine();

    [GeneratedRegex("""(?<op>conn=\d+ op=\d+) RESULT tag=97 err=(?<err>\d+)""")]
    private static partial Regex BindResultLine();

    [GeneratedRegex("""conn=\d+ op=\d+ SRCH base="[^"]*" scope=\d+ deref=\d+ filter="(?<filter>.*)"$""")]
    private static partial Regex SearchLine();
}
