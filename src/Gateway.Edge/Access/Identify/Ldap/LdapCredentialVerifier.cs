using System.DirectoryServices.Protocols;
using Gateway.Edge.Access.Identify.Passwords;
using Gateway.Registry.Credentials;
using Gateway.Registry.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Access.Identify.Ldap;

/// <summary>
/// Verifies a user name and password against an LDAP directory or Active Directory, on a cache miss only (the user
/// grain answers repeated requests): search then bind, or direct bind (<see cref="LdapOptions"/>), then the user's
/// groups as the label <c>group</c>. Servers are tried in order, each within <see cref="LdapOptions.Timeout"/> and
/// behind its own <see cref="LdapCircuitBreaker"/>; a wrong password, an unknown user and a disabled account are
/// <see cref="VerificationOutcome.Invalid"/> after the same work (a bind each); when no server answers the outcome is
/// <see cref="VerificationOutcome.Unavailable"/> (503), fast once the breakers are open. Never throws for a wrong
/// credential or an outage. libldap's calls block, so they run on pool threads, at most
/// <see cref="LdapOptions.MaxConcurrentOperations"/> at once.
/// </summary>
public sealed partial class LdapCredentialVerifier : ICredentialVerifier, IDisposable
{
    /// <summary>The label the user's groups become.</summary>
    public const string GroupLabel = "group";

    /// <summary>Longer user names are refused without asking the directory.</summary>
    public const int MaxUserNameLength = 256;

    /// <summary>The most groups read for one user.</summary>
    public const int MaxGroups = 1000;

    private static readonly CredentialVerification Invalid = CredentialVerification.Invalid;
    private static readonly CredentialVerification Unavailable = CredentialVerification.Unavailable;

    private readonly LdapOptions _options;
    private readonly LdapServerAddress[] _servers;
    private readonly LdapCircuitBreaker[] _breakers;
    private readonly LdapTrustDirectory? _trust;
    private readonly LdapTls _tls;
    private readonly LdapServicePool _pool;
    private readonly SemaphoreSlim _slots;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _nobodyDn;

    /// <summary>Creates the verifier from validated options; reads <c>BindPasswordFile</c> and <c>CaFile</c> once.</summary>
    public LdapCredentialVerifier(IOptions<LdapOptions> options, TimeProvider time, ILogger<LdapCredentialVerifier> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _time = time;
        _logger = logger;
        _servers = [.. _options.Servers.Select(s => LdapServerAddress.TryParse(s, out var address, out _) ? address! : throw new OptionsValidationException(LdapOptions.SectionName, typeof(LdapOptions), [$"{LdapOptions.SectionName}:Servers: '{s}' is not an ldap:// or ldaps:// URL"]))];
        _breakers = [.. _servers.Select(_ => new LdapCircuitBreaker(_options.FailuresToOpen, _options.BreakDuration, time))];
        _trust = string.IsNullOrWhiteSpace(_options.CaFile) ? null : LdapTrustDirectory.Create(_options.CaFile);
        _tls = new LdapTls(_options.StartTls, _trust?.Path);
        var servicePassword = string.IsNullOrWhiteSpace(_options.BindPasswordFile) ? null : ReadPasswordFile(_options.BindPasswordFile);
        _pool = new LdapServicePool(_options, _tls, servicePassword, time);
        _slots = new SemaphoreSlim(_options.MaxConcurrentOperations, _options.MaxConcurrentOperations);
        _nobodyDn = "cn=registry-gateway-no-such-user," + (_options.BaseDn ?? string.Empty);
        Log.Configured(
            logger,
            _options.IsDirectBind ? "direct bind" : "search then bind",
            string.Join(", ", _servers.Select(s => s.ToString())),
            _servers.All(s => s.IsLdaps || _options.StartTls) ? $"TLS verified against {_trust?.Count ?? 0} CA certificate(s) of CaFile" : "no TLS on ldap:// (set StartTls)");
    }

    /// <summary>The configured servers, in order.</summary>
    public IReadOnlyList<LdapServerAddress> Servers => _servers;

    /// <summary>Reads a password file: the whole content, less one trailing newline (<c>echo secret &gt; file</c>).</summary>
    public static string ReadPasswordFile(string path)
    {
        var text = File.ReadAllText(path);
        if (text.EndsWith("\r\n", StringComparison.Ordinal))
        {
            return text[..^2];
        }

        return text.EndsWith('\n') ? text[..^1] : text;
    }

    /// <inheritdoc />
    public async ValueTask<CredentialVerification> VerifyAsync(string userName, Secret password, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(userName);
        ArgumentNullException.ThrowIfNull(password);

        // An empty password would be an "unauthenticated bind", which LDAP servers answer with success (RFC 4513 5.1.2).
        var text = password.Reveal();
        if (text.Length == 0 || userName.Length == 0 || userName.Length > MaxUserNameLength || userName.Any(char.IsControl))
        {
            return Invalid;
        }

        var skipped = new List<string>();
        var started = _time.GetTimestamp();
        for (var i = 0; i < _servers.Length; i++)
        {
            var server = _servers[i];
            if (!_breakers[i].TryEnter())
            {
                skipped.Add($"{server}: skipped for now after failing");
                continue;
            }

            var attempt = await AttemptAsync(server, userName, text, cancellationToken).ConfigureAwait(false);
            if (attempt.Verification is null)
            {
                _pool.Clear(server);
                if (attempt.CountsAgainstServer && _breakers[i].Failed())
                {
                    Log.BreakerOpened(_logger, server.ToString(), _options.BreakDuration);
                }
                else if (!attempt.CountsAgainstServer)
                {
                    _breakers[i].Succeeded(); // a busy edge is not the server's fault; let the next verification in
                }

                Log.ServerFailed(_logger, server.ToString(), attempt.Reason!);
                skipped.Add($"{server}: {attempt.Reason}");
                continue;
            }

            if (_breakers[i].Succeeded())
            {
                Log.BreakerClosed(_logger, server.ToString());
            }

            if (attempt.Verification.Outcome == VerificationOutcome.Valid)
            {
                Log.Verified(_logger, LogText.Escape(userName), server.ToString(), attempt.Verification.Labels.TryGetValue(GroupLabel, out var groups) ? groups.Count : 0, _time.GetElapsedTime(started).TotalMilliseconds);
            }
            else
            {
                Log.Refused(_logger, LogText.Escape(userName), server.ToString());
            }

            return attempt.Verification;
        }

        Log.NoServer(_logger, LogText.Escape(userName), string.Join("; ", skipped));
        return Unavailable;
    }

    public void Dispose()
    {
        _pool.Dispose();
        _trust?.Dispose();
        _slots.Dispose();
    }

    private async Task<Attempt> AttemptAsync(LdapServerAddress server, string userName, string password, CancellationToken cancellationToken)
    {
        try
        {
            if (!await _slots.WaitAsync(_options.Timeout, cancellationToken).ConfigureAwait(false))
            {
                return Attempt.Busy($"all {_options.MaxConcurrentOperations} directory operations of this edge stayed busy for {_options.Timeout}");
            }
        }
        catch (ObjectDisposedException)
        {
            return Attempt.Busy("the gateway is stopping");
        }

        // libldap blocks its thread: a thread of its own, not one of the pool the requests run on (a slow directory
        // must not starve them), at most MaxConcurrentOperations of them.
        var work = Task.Factory.StartNew(
            () =>
            {
                try
                {
                    return VerifyOn(server, userName, password);
                }
                finally
                {
                    // Released when libldap returns, not at our timeout: a hung server cannot pile up threads.
                    _slots.Release();
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        try
        {
            return await work.WaitAsync(_options.Timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return Attempt.Failed($"no answer within {_options.Timeout}");
        }
    }

    /// <summary>One server's whole verification (blocking). Classifies every failure; throws nothing but cancellation.</summary>
    private Attempt VerifyOn(LdapServerAddress server, string userName, string password)
    {
        try
        {
            return _options.IsDirectBind ? DirectBind(server, userName, password) : SearchThenBind(server, userName, password);
        }
        catch (LdapException ex)
        {
            return Attempt.Failed(Describe(server, ex.ErrorCode, ex.Message, ex.ServerErrorMessage));
        }
        catch (TlsOperationException ex)
        {
            // The server's answer to the StartTLS request (no handshake happened, so not a certificate problem).
            return Attempt.Failed(DescribeStartTlsRefusal(ex.Response?.ResultCode ?? ResultCode.Other));
        }
        catch (DirectoryOperationException ex)
        {
            return Attempt.Failed(Describe(server, (int)(ex.Response?.ResultCode ?? ResultCode.Other), ex.Message, ex.Response?.ErrorMessage));
        }
        catch (Exception ex) when (ex is DirectoryException or InvalidOperationException or DllNotFoundException or EntryPointNotFoundException or PlatformNotSupportedException or ObjectDisposedException)
        {
            return Attempt.Failed($"{ex.GetType().Name}: {ex.Message}");
        }
    }

    private Attempt SearchThenBind(LdapServerAddress server, string userName, string password)
    {
        var service = _pool.Rent(server, out var reused);
        var healthy = false;
        try
        {
            SearchResultEntryCollection entries;
            try
            {
                entries = FindUser(service, userName);
            }
            catch (LdapException ex) when (reused && ex.ErrorCode == (int)LdapResult.ServerDown)
            {
                // A pooled connection the server dropped (it restarted, or an idle timeout): once more on a fresh one.
                service.Dispose();
                _pool.Clear(server);
                service = _pool.Open(server);
                entries = FindUser(service, userName);
            }
            catch (DirectoryOperationException ex) when (ex.Response?.ResultCode == ResultCode.SizeLimitExceeded)
            {
                healthy = true;
                Log.Ambiguous(_logger, LogText.Escape(userName), _options.BaseDn!);
                BindAsNobody(server, password);
                return Attempt.Answered(Invalid);
            }

            if (entries.Count != 1)
            {
                healthy = true;
                if (entries.Count > 1)
                {
                    Log.Ambiguous(_logger, LogText.Escape(userName), _options.BaseDn!);
                }

                // An unknown user costs the same bind as a wrong password: the answer and its time say nothing.
                BindAsNobody(server, password);
                return Attempt.Answered(Invalid);
            }

            var entry = entries[0];
            if (!BindsAs(server, entry.DistinguishedName, password))
            {
                healthy = true;
                return Attempt.Answered(Invalid);
            }

            var groups = Groups(service, entry, entry.DistinguishedName, userName);
            healthy = true;
            return Attempt.Answered(Valid(groups));
        }
        finally
        {
            if (healthy)
            {
                _pool.Return(service);
            }
            else
            {
                service.Dispose();
            }
        }
    }

    private Attempt DirectBind(LdapServerAddress server, string userName, string password)
    {
        var dn = LdapEscaping.Render(_options.DnTemplate!, LdapEscaping.EscapeDnValue, (LdapOptions.AccountPlaceholder, userName));
        using var session = LdapSession.Open(server, _tls, _options.Timeout);
        if (!TryBind(session, dn, password))
        {
            return Attempt.Answered(Invalid);
        }

        SearchResultEntry? entry = null;
        if (!string.IsNullOrWhiteSpace(_options.GroupAttribute))
        {
            var own = session.Search(dn, "(objectClass=*)", SearchScope.Base, [_options.GroupAttribute], 1);
            entry = own.Count == 1 ? own[0] : null;
        }

        return Attempt.Answered(Valid(Groups(session, entry, dn, userName)));
    }

    private SearchResultEntryCollection FindUser(LdapSession service, string userName)
    {
        var filter = LdapEscaping.Render(_options.UserFilter, LdapEscaping.EscapeFilterValue, (LdapOptions.AccountPlaceholder, userName));
        string[] attributes = string.IsNullOrWhiteSpace(_options.GroupAttribute) ? ["1.1"] : [_options.GroupAttribute];

        // Two at most: one is the user, two means the filter is not unique (refused, never "the first one").
        return service.Search(_options.BaseDn!, filter, SearchScope.Subtree, attributes, 2);
    }

    /// <summary>
    /// Binds as the user on a pooled bind session (never one that searches); false when the directory refuses the
    /// credential. A pooled session the server dropped is replaced once.
    /// </summary>
    private bool BindsAs(LdapServerAddress server, string dn, string password)
    {
        var session = _pool.RentBinder(server, out var reused);
        var healthy = false;
        try
        {
            bool bound;
            try
            {
                bound = TryBind(session, dn, password);
            }
            catch (LdapException ex) when (reused && ex.ErrorCode == (int)LdapResult.ServerDown)
            {
                session.Dispose();
                session = LdapSession.Open(server, _tls, _options.Timeout);
                bound = TryBind(session, dn, password);
            }

            healthy = true;
            return bound;
        }
        finally
        {
            if (healthy)
            {
                _pool.ReturnBinder(session);
            }
            else
            {
                session.Dispose();
            }
        }
    }

    private void BindAsNobody(LdapServerAddress server, string password) => BindsAs(server, _nobodyDn, password);

    private static bool TryBind(LdapSession session, string dn, string password)
    {
        try
        {
            session.Bind(dn, password);
            return true;
        }
        catch (LdapException ex) when (IsRefusal(ex.ErrorCode))
        {
            return false;
        }
    }

    /// <summary>
    /// Results of a bind that mean "this credential does not log in" (not an outage): invalid credentials (also
    /// Active Directory's disabled, expired and locked accounts), no such entry, inappropriate authentication,
    /// insufficient access, unwilling to perform (a disabled or policy-locked account), constraint violation (password policy).
    /// </summary>
    private static bool IsRefusal(int code) => code is (int)LdapResult.InvalidCredentials or 32 or 48 or 50 or 53 or 19;

    private List<string> Groups(LdapSession session, SearchResultEntry? entry, string dn, string userName)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        if (entry is not null && !string.IsNullOrWhiteSpace(_options.GroupAttribute))
        {
            foreach (string attribute in entry.Attributes.AttributeNames)
            {
                if (string.Equals(attribute, _options.GroupAttribute, StringComparison.OrdinalIgnoreCase))
                {
                    foreach (var value in entry.Attributes[attribute].GetValues(typeof(string)).Cast<string>().Take(MaxGroups))
                    {
                        if (LdapEscaping.FirstRdnValue(value) is { } name)
                        {
                            names.Add(name);
                        }
                    }
                }
            }
        }

        if (!string.IsNullOrWhiteSpace(_options.GroupFilter))
        {
            var filter = LdapEscaping.Render(
                _options.GroupFilter,
                LdapEscaping.EscapeFilterValue,
                (LdapOptions.DnPlaceholder, dn),
                (LdapOptions.AccountPlaceholder, userName));
            SearchResultEntryCollection found;
            try
            {
                found = session.Search(_options.GroupBaseDn ?? _options.BaseDn!, filter, SearchScope.Subtree, [_options.GroupNameAttribute], MaxGroups);
            }
            catch (DirectoryOperationException ex) when (ex.Response is SearchResponse { ResultCode: ResultCode.SizeLimitExceeded } partial)
            {
                Log.TooManyGroups(_logger, LogText.Escape(userName), MaxGroups);
                found = partial.Entries;
            }

            foreach (SearchResultEntry group in found)
            {
                var name = group.Attributes[_options.GroupNameAttribute]?.GetValues(typeof(string)).Cast<string>().FirstOrDefault()
                    ?? LdapEscaping.FirstRdnValue(group.DistinguishedName);
                if (!string.IsNullOrEmpty(name))
                {
                    names.Add(name);
                }
            }
        }

        return [.. names];
    }

    /// <summary>A good credential with its groups, cached for <see cref="LdapOptions.CacheTtl"/> and kept through an outage for <see cref="LdapOptions.OutageGrace"/>.</summary>
    private CredentialVerification Valid(List<string> groups) =>
        new(
            VerificationOutcome.Valid,
            groups.Count == 0 ? IdentityLabels.None : new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal) { [GroupLabel] = groups.AsReadOnly() }.AsReadOnly(),
            null)
        {
            CacheFor = _options.CacheTtl,
            OutageGrace = _options.OutageGrace,
        };

    private string Describe(LdapServerAddress server, int code, string message, string? serverMessage)
    {
        if (code == (int)LdapResult.InvalidCredentials && !_options.IsDirectBind)
        {
            return $"the service account {_options.BindDn} was refused (invalid credentials): check {LdapOptions.SectionName}:BindDn and BindPasswordFile";
        }

        if (code == 32)
        {
            return $"no such object: check {LdapOptions.SectionName}:BaseDn / GroupBaseDn ({message})";
        }

        if (code is (int)LdapResult.ServerDown or (int)LdapResult.ConnectError && (server.IsLdaps || _options.StartTls) && Reachable(server))
        {
            return DescribeTls(server, message);
        }

        return string.IsNullOrWhiteSpace(serverMessage) ? $"{message} (result {code})" : $"{message} (result {code}: {serverMessage})";
    }

    private string DescribeTls(LdapServerAddress server, string message) =>
        $"the TLS {(server.IsLdaps ? "handshake" : "upgrade (StartTLS)")} failed ({message}): the server's certificate must chain to " +
        $"{LdapOptions.SectionName}:CaFile{(_options.CaFile is null ? " (not set)" : $" ({_options.CaFile})")} and name '{server.Host}'" +
        (server.IsLdaps ? string.Empty : ", and the server must offer StartTLS");

    private static string DescribeStartTlsRefusal(ResultCode code) =>
        $"the server refused StartTLS (result {(int)code} {code}" +
        (code == ResultCode.OperationsError ? $", {LdapStartTlsRetry.MaxRetries + 1} times in a row" : string.Empty) +
        "): the server must offer StartTLS (TLS configured on it) and accept it right after connecting";

    /// <summary>True when the server's port accepts a TCP connection: then a failure is the TLS layer's, not an outage.</summary>
    private bool Reachable(LdapServerAddress server)
    {
        try
        {
            using var client = new System.Net.Sockets.TcpClient();
            return client.ConnectAsync(server.Host, server.Port).Wait(_options.Timeout) && client.Connected;
        }
        catch (Exception ex) when (ex is AggregateException or System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    /// <summary>The LDAP result codes the verifier tells apart.</summary>
    private enum LdapResult
    {
        InvalidCredentials = 49,
        ServerDown = 81,
        ConnectError = 91,
    }

    /// <summary>One server's answer: a verification (right or wrong credential), or a failure with its reason.</summary>
    private sealed record Attempt(CredentialVerification? Verification, string? Reason, bool CountsAgainstServer)
    {
        public static Attempt Answered(CredentialVerification verification) => new(verification, null, false);

        public static Attempt Failed(string reason) => new(null, reason, true);

        public static Attempt Busy(string reason) => new(null, reason, false);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.LdapConfigured, Level = LogLevel.Information, Message = "LDAP identities: {Mode} on {Servers}; {Tls}")]
        public static partial void Configured(ILogger logger, string mode, string servers, string tls);

        [LoggerMessage(EventId = EventIds.LdapServerFailed, Level = LogLevel.Warning, Message = "LDAP server {Server} failed: {Reason}")]
        public static partial void ServerFailed(ILogger logger, string server, string reason);

        [LoggerMessage(EventId = EventIds.LdapServerSkipped, Level = LogLevel.Warning, Message = "LDAP server {Server} is skipped for {Duration} after failing repeatedly")]
        public static partial void BreakerOpened(ILogger logger, string server, TimeSpan duration);

        [LoggerMessage(EventId = EventIds.LdapServerBack, Level = LogLevel.Information, Message = "LDAP server {Server} answers again")]
        public static partial void BreakerClosed(ILogger logger, string server);

        [LoggerMessage(EventId = EventIds.LdapNoServer, Level = LogLevel.Error, Message = "No LDAP server could verify {User}: {Servers}")]
        public static partial void NoServer(ILogger logger, string user, string servers);

        [LoggerMessage(EventId = EventIds.LdapAmbiguousUser, Level = LogLevel.Warning, Message = "LDAP search for {User} under {BaseDn} found more than one entry: refused (make Gateway:Ldap:UserFilter unique)")]
        public static partial void Ambiguous(ILogger logger, string user, string baseDn);

        [LoggerMessage(EventId = EventIds.LdapCredentialRefused, Level = LogLevel.Debug, Message = "LDAP refused the credential of {User} on {Server}")]
        public static partial void Refused(ILogger logger, string user, string server);

        [LoggerMessage(EventId = EventIds.LdapCredentialVerified, Level = LogLevel.Debug, Message = "LDAP verified {User} on {Server}: {Groups} groups, {Milliseconds} ms")]
        public static partial void Verified(ILogger logger, string user, string server, int groups, double milliseconds);

        [LoggerMessage(EventId = EventIds.LdapTooManyGroups, Level = LogLevel.Warning, Message = "LDAP user {User} is in more than {Max} groups; only the first {Max} are labels")]
        public static partial void TooManyGroups(ILogger logger, string user, int max);
    }
}
