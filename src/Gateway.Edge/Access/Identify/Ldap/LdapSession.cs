using System.DirectoryServices.Protocols;
using System.Net;

namespace Gateway.Edge.Access.Identify.Ldap;

/// <summary>
/// One connection to one server (System.DirectoryServices.Protocols over the system's libldap). Every call blocks
/// the calling thread for at most the session's timeout; run it off the request path (see <see cref="LdapCredentialVerifier"/>).
/// Not thread-safe: one operation at a time.
/// </summary>
internal sealed class LdapSession : IDisposable
{
    /// <summary>
    /// Serializes TLS sessions until the first one is up: libldap initializes its TLS library (GnuTLS) on first use
    /// with unguarded counters (tls2.c <c>tls_init</c>), so two first uses at once could both initialize it, or one
    /// use it half initialized. (The "unspecified operation error" once blamed on this was slapd refusing an early
    /// StartTLS: see <see cref="LdapStartTlsRetry"/>.)
    /// </summary>
    private static readonly Lock FirstTls = new();
    private static volatile bool _tlsReady;

    private readonly LdapConnection _connection;

    private LdapSession(LdapServerAddress server, LdapConnection connection)
    {
        Server = server;
        _connection = connection;
    }

    /// <summary>The server this session talks to.</summary>
    public LdapServerAddress Server { get; }

    /// <summary>When the session was last used (a timestamp of the verifier's TimeProvider).</summary>
    public long LastUsed { get; set; }

    /// <summary>
    /// Opens a session: LDAPv3, no referral chasing, the CA folder as the only trust (with a TLS context of its own),
    /// TLS from the first byte for <c>ldaps://</c>, StartTLS before anything else for <c>ldap://</c> when asked.
    /// Throws <see cref="LdapException"/> (or <see cref="DirectoryOperationException"/>) when the server cannot be
    /// reached or the TLS upgrade fails; a failed upgrade never falls back to clear text.
    /// </summary>
    public static LdapSession Open(LdapServerAddress server, LdapTls tls, TimeSpan timeout)
    {
        if (_tlsReady || !(server.IsLdaps || tls.StartTls))
        {
            return OpenCore(server, tls, timeout);
        }

        lock (FirstTls)
        {
            var session = OpenCore(server, tls, timeout);
            _tlsReady = true;
            return session;
        }
    }

    private static LdapSession OpenCore(LdapServerAddress server, LdapTls tls, TimeSpan timeout)
    {
        var connection = new LdapConnection(new LdapDirectoryIdentifier(server.Host, server.Port, false, false))
        {
            AuthType = AuthType.Basic,
            AutoBind = false,
            Timeout = timeout,
        };
        try
        {
            connection.SessionOptions.ProtocolVersion = 3;
            connection.SessionOptions.ReferralChasing = ReferralChasingOptions.None;
            if (tls.TrustDirectory is not null && (server.IsLdaps || tls.StartTls))
            {
                if (OperatingSystem.IsWindows())
                {
                    throw new PlatformNotSupportedException("Gateway:Ldap:CaFile needs libldap (Linux); Windows' LDAP client trusts the machine's store.");
                }

                connection.SessionOptions.TrustedCertificatesDirectory = tls.TrustDirectory;
                connection.SessionOptions.StartNewTlsSessionContext();
            }

            connection.SessionOptions.SecureSocketLayer = server.IsLdaps;
            if (tls.StartTls && !server.IsLdaps)
            {
                // On Linux, System.DirectoryServices.Protocols opens the connection only with the first operation, and
                // StartTLS on an unopened handle fails: read the root DSE first (anonymous, no bind, nothing secret),
                // then upgrade. If the upgrade fails, this throws and nothing else is sent.
                connection.SendRequest(new SearchRequest(string.Empty, "(objectClass=*)", SearchScope.Base, "1.1"), timeout);
                StartTls(connection);
            }

            return new LdapSession(server, connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Upgrades the connection, asking again while the server answers that the root DSE read is still outstanding on
    /// its side (<see cref="LdapStartTlsRetry"/>); any other refusal or handshake failure throws at once.
    /// </summary>
    private static void StartTls(LdapConnection connection)
    {
        for (var refusals = 1; ; refusals++)
        {
            try
            {
                connection.SessionOptions.StartTransportLayerSecurity(null);
                return;
            }
            catch (TlsOperationException ex) when (ex.Response is { } answer && LdapStartTlsRetry.Delay(answer.ResultCode, refusals) is { } delay)
            {
                // A blocking pause on a thread that only waits for libldap anyway (never a request thread).
                Thread.Sleep(delay);
            }
        }
    }

    /// <summary>A simple bind; throws <see cref="LdapException"/> (49: invalid credentials).</summary>
    public void Bind(string dn, string password) => _connection.Bind(new NetworkCredential(dn, password));

    /// <summary>
    /// Searches; at most <paramref name="sizeLimit"/> entries (more: <see cref="DirectoryOperationException"/> with
    /// <see cref="ResultCode.SizeLimitExceeded"/>).
    /// </summary>
    public SearchResultEntryCollection Search(string baseDn, string filter, SearchScope scope, string[] attributes, int sizeLimit)
    {
        var request = new SearchRequest(baseDn, filter, scope, attributes) { SizeLimit = sizeLimit, TimeLimit = _connection.Timeout };
        var response = (SearchResponse)_connection.SendRequest(request, _connection.Timeout);
        return response.Entries;
    }

    public void Dispose() => _connection.Dispose();
}
