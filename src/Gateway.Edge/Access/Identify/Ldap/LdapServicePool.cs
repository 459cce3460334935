using System.Collections.Concurrent;

namespace Gateway.Edge.Access.Identify.Ldap;

/// <summary>
/// Open sessions bound as the service account, per server, so a search costs no connect, TLS handshake or bind:
/// at most <see cref="LdapOptions.PoolSize"/> kept per server, one user at a time each; a session idle longer than
/// <see cref="IdleLimit"/> is closed rather than reused (servers and firewalls drop idle connections).
/// </summary>
internal sealed class LdapServicePool(LdapOptions options, LdapTls tls, string? servicePassword, TimeProvider time) : IDisposable
{
    /// <summary>Idle sessions older than this are closed instead of reused.</summary>
    public static readonly TimeSpan IdleLimit = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<LdapServerAddress, ConcurrentBag<LdapSession>> _idle = new();

    /// <summary>
    /// An idle session of <paramref name="server"/> (<paramref name="reused"/> true), or a new one bound as the service
    /// account (anonymous without <c>BindDn</c>). Blocking; throws what <see cref="LdapSession"/> throws.
    /// </summary>
    public LdapSession Rent(LdapServerAddress server, out bool reused)
    {
        var bag = _idle.GetOrAdd(server, static _ => []);
        while (bag.TryTake(out var session))
        {
            if (time.GetElapsedTime(session.LastUsed) < IdleLimit)
            {
                reused = true;
                return session;
            }

            session.Dispose();
        }

        reused = false;
        return Open(server);
    }

    /// <summary>A new session bound as the service account, not taken from the pool.</summary>
    public LdapSession Open(LdapServerAddress server)
    {
        var session = LdapSession.Open(server, tls, options.Timeout);
        try
        {
            if (!string.IsNullOrEmpty(options.BindDn))
            {
                session.Bind(options.BindDn, servicePassword ?? string.Empty);
            }

            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Puts a healthy session back (or closes it when the pool is full).</summary>
    public void Return(LdapSession session)
    {
        var bag = _idle.GetOrAdd(session.Server, static _ => []);
        if (bag.Count >= options.PoolSize)
        {
            session.Dispose();
            return;
        }

        session.LastUsed = time.GetTimestamp();
        bag.Add(session);
    }

    /// <summary>Closes every idle session of <paramref name="server"/> (after it failed: they are likely dead too).</summary>
    public void Clear(LdapServerAddress server)
    {
        if (_idle.TryGetValue(server, out var bag))
        {
            while (bag.TryTake(out var session))
            {
                session.Dispose();
            }
        }
    }

    public void Dispose()
    {
        foreach (var server in _idle.Keys)
        {
            Clear(server);
        }
    }
}
