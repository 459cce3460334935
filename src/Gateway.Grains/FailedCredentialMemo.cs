using System.Security.Cryptography;

namespace Gateway.Grains;

/// <summary>
/// The credential fingerprints that failed verification per client address key, each for one lockout window from its
/// failure, so that the same wrong credential repeated from the same address is refused again without a password check
/// and without counting: a repeated guess gives an attacker nothing, and it is what containerd's resends of a Basic
/// 401 and a CI job polling with a stale password look like. Only HMAC fingerprints (never a password), bounded per
/// address and per grain, oldest forgotten first; a forgotten one merely counts once more.
/// <para>
/// Kept in grain memory, not in the persisted lockout state: it is a shortcut over state that is persisted (the
/// failures and locks), never a reason to refuse a credential that would otherwise pass, and losing it (a silo loss,
/// a deactivation) costs at most one more counted failure per distinct wrong credential; persisting it would write a
/// record per failure and keep keyed digests of wrong passwords in Redis for the window.
/// </para>
/// </summary>
internal sealed class FailedCredentialMemo
{
    /// <summary>Fingerprints remembered per address key (more distinct wrong credentials than this from one address lock it anyway).</summary>
    internal const int MaxPerAddress = 16;

    /// <summary>Fingerprints remembered per grain, all addresses together.</summary>
    internal const int MaxTotal = 1024;

    private readonly Dictionary<string, List<(byte[] Fingerprint, DateTimeOffset FailedAt)>> _byAddress = new(StringComparer.Ordinal);
    private int _count;

    /// <summary>The number of fingerprints held (tests).</summary>
    internal int Count => _count;

    /// <summary>True when <paramref name="fingerprint"/> failed from <paramref name="address"/> less than <paramref name="window"/> before <paramref name="now"/>.</summary>
    public bool Contains(string address, byte[] fingerprint, DateTimeOffset now, TimeSpan window)
    {
        if (!_byAddress.TryGetValue(address, out var failed))
        {
            return false;
        }

        Prune(address, failed, now - window);
        foreach (var (candidate, _) in failed)
        {
            if (CryptographicOperations.FixedTimeEquals(candidate, fingerprint))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Remembers a failed verification of <paramref name="fingerprint"/> from <paramref name="address"/> at <paramref name="now"/>.</summary>
    public void Remember(string address, byte[] fingerprint, DateTimeOffset now, TimeSpan window)
    {
        if (!_byAddress.TryGetValue(address, out var failed))
        {
            failed = [];
            _byAddress[address] = failed;
        }

        Prune(address, failed, now - window);
        if (failed.Count >= MaxPerAddress)
        {
            failed.RemoveAt(0);
            _count--;
        }

        if (_count >= MaxTotal)
        {
            RemoveOldest();
        }

        failed.Add((fingerprint, now));
        _count++;
        _byAddress[address] = failed; // pruning may have dropped the (then empty) entry
    }

    /// <summary>Forgets the fingerprints of one address key, or of every address when null (an operator's unlock).</summary>
    public void Clear(string? address)
    {
        if (address is null)
        {
            _byAddress.Clear();
            _count = 0;
        }
        else if (_byAddress.Remove(address, out var failed))
        {
            _count -= failed.Count;
        }
    }

    private void Prune(string address, List<(byte[] Fingerprint, DateTimeOffset FailedAt)> failed, DateTimeOffset since)
    {
        var expired = 0;
        while (expired < failed.Count && failed[expired].FailedAt <= since)
        {
            expired++;
        }

        if (expired > 0)
        {
            failed.RemoveRange(0, expired);
            _count -= expired;
        }

        if (failed.Count == 0)
        {
            _byAddress.Remove(address);
        }
    }

    private void RemoveOldest()
    {
        string? oldestAddress = null;
        var oldest = DateTimeOffset.MaxValue;
        foreach (var (address, failed) in _byAddress)
        {
            if (failed.Count > 0 && failed[0].FailedAt < oldest)
            {
                oldest = failed[0].FailedAt;
                oldestAddress = address;
            }
        }

        if (oldestAddress is not null)
        {
            var failed = _byAddress[oldestAddress];
            failed.RemoveAt(0);
            _count--;
            if (failed.Count == 0)
            {
                _byAddress.Remove(oldestAddress);
            }
        }
    }
}
