namespace Gateway.Edge.Access.Identify.Federation;

/// <summary>
/// The recent federated logins of each account on this edge, for the admin view: the last
/// <see cref="PerAccount"/> per account, for at most <see cref="MaxAccounts"/> accounts (the least recently seen
/// account is forgotten first), so a flood of accounts costs bounded memory. Edge-local: an operator asks each edge,
/// or the one the CI job reached; the grain holds what must be cluster-wide (locks, limits, the cache).
/// </summary>
public sealed class FederatedLoginJournal
{
    /// <summary>Logins kept per account.</summary>
    public const int PerAccount = 20;

    /// <summary>Accounts kept.</summary>
    public const int MaxAccounts = 1000;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedListNode<(string Account, Queue<FederatedLogin> Logins)>> _byAccount = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Account, Queue<FederatedLogin> Logins)> _recency = new();

    /// <summary>Records a verified login of <paramref name="account"/>.</summary>
    public void Record(string account, FederatedLogin login)
    {
        lock (_gate)
        {
            if (_byAccount.TryGetValue(account, out var node))
            {
                _recency.Remove(node);
            }
            else
            {
                if (_byAccount.Count >= MaxAccounts && _recency.Last is { } oldest)
                {
                    _recency.RemoveLast();
                    _byAccount.Remove(oldest.Value.Account);
                }

                node = new((account, new Queue<FederatedLogin>()));
                _byAccount[account] = node;
            }

            _recency.AddFirst(node);
            var logins = node.Value.Logins;
            logins.Enqueue(login);
            while (logins.Count > PerAccount)
            {
                logins.Dequeue();
            }
        }
    }

    /// <summary>The account's recent logins, newest first (empty when none is known here).</summary>
    public IReadOnlyList<FederatedLogin> Recent(string account)
    {
        lock (_gate)
        {
            return _byAccount.TryGetValue(account, out var node) ? node.Value.Logins.Reverse().ToList() : [];
        }
    }
}
