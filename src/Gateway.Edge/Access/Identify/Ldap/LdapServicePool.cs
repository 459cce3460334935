using System.Collections.Concurrent;

namespace Gateway.Edge.Access.Identify.Ldap;

/// <summary>
/// Open sessions per server, so a verification costs no connect or TLS handshake: sessions bound as the service
/// account (for searches) and sessions for users' binds (a bind there changes only that session's identity, and it
/// is never used for anything else). At most <see cref="LdapOptions.PoolSize"/> of each kind kept per server, one
/// user at a time each; a session idle longer than <see cref="IdleLimit"/> is closed rather than reused (servers and
/// firewalls drop idle connections).
/// </summary>
internal sealed class LdapServicePool(LdapOptions options, LdapTls tls, string? servicePassword, TimeProvider time) : IDisposable
{
    /// <summary>Idle sessions older than this are closed instead of reused.</summary>
    public static readonly TimeSpan IdleLimit = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<LdapServerAddress, ConcurrentBag<LdapSession>> _idle = new();
    private readonly ConcurrentDictionary<LdapServerAddress, ConcurrentBag<LdapSession>> _binders = new();

    /// <summary>
    /// An idle session of <paramref name="server"/> (<paramref name="reused"/> true), or a new one bound as the service
    /// account (anonymous without <c>BindDn</c>). Blocking; throws what <see cref="LdapSession"/> throws.
    /// </summary>
    public LdapSession Rent(LdapServerAddress server, out bool reused) =>
        TakeIdle(_idle, server, out reused) ?? Open(server);

    /// <summary>A session for users' binds: idle (<paramref name="reused"/> true) or new, not bound. Blocking.</summary>
    public LdapSession RentBinder(LdapServerAddress server, out bool reused) =>
        TakeIdle(_binders, server, out reused) ?? LdapSession.Open(server, tls, options.Timeout);

    /// <summary>Puts a healthy bind session back (or closes it when the pool is full).</summary>
    public void ReturnBinder(LdapSession session) => Put(_binders, session);

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
    public void Return(LdapSession session) => Put(_idle, session);

    /// <summary>Closes every idle session of <paramref name="server"/> (after it failed: they are likely dead too).</summary>
    public void Clear(LdapServerAddress server)
    {
        foreach (var pool in new[] { _idle, _binders })
        {
            if (pool.TryGetValue(server, out var bag))
            {
                while (bag.TryTake(out var session))
                {
                    session.Dispose();
                }
            }
        }
    }

    private LdapSession? TakeIdle(ConcurrentDictionary<LdapServerAddress, ConcurrentBag<LdapSession>> pool, LdapServerAddress server, out bool reused)
    {
        var bag = pool.GetOrAdd(server, static _ => []);
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
        return null;
    }

    private void Put(ConcurrentDictionary<LdapServerAddress, ConcurrentBag<LdapSession>> pool, LdapSession session)
    {
        var bag = pool.GetOrAdd(session.Server, static _ => []);
        if (bag.Count >= options.PoolSize)
        {
            session.Dispose();
            return;
        }

        session.LastUsed = time.GetTimestamp();
        bag.Add(session);
    }

    public void Dispose()
    {
        foreach (var server in _idle.Keys.Concat(_binders.Keys).Distinct())
        {
            Clear(server);
        }
    }
}
