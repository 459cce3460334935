using System.Collections.Concurrent;

namespace Gateway.Edge.Caching;

/// <summary>
/// The publisher's side of confirmed invalidations: a number for each one sent, the nodes that confirmed it, and a wait
/// that ends when as many nodes confirmed as received it, or when the bound runs out. Knows nothing of the transport.
/// </summary>
public sealed class InvalidationConfirmations
{
    private readonly ConcurrentDictionary<long, Pending> _pending = new();
    private long _last;

    /// <summary>How many invalidations wait for confirmations now.</summary>
    public int Waiting => _pending.Count;

    /// <summary>Numbers the next invalidation; confirmations for it are counted from now until <see cref="End"/>.</summary>
    public long Begin()
    {
        var sequence = Interlocked.Increment(ref _last);
        _pending[sequence] = new Pending();
        return sequence;
    }

    /// <summary>Counts <paramref name="node"/>'s confirmation (once per node); unknown or ended numbers are ignored.</summary>
    public void Confirm(long sequence, string node)
    {
        if (_pending.TryGetValue(sequence, out var pending))
        {
            pending.Add(node);
        }
    }

    /// <summary>
    /// Waits until <paramref name="receivers"/> nodes have confirmed <paramref name="sequence"/> or
    /// <paramref name="cancellationToken"/> fires; returns how many confirmed (never throws for the bound).
    /// </summary>
    public async Task<int> WaitAsync(long sequence, long receivers, CancellationToken cancellationToken)
    {
        if (!_pending.TryGetValue(sequence, out var pending))
        {
            return 0;
        }

        var done = pending.Expect(receivers);
        try
        {
            await done.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The bound ran out: the count so far is the answer.
        }

        return pending.Count;
    }

    /// <summary>Stops counting for <paramref name="sequence"/>.</summary>
    public void End(long sequence) => _pending.TryRemove(sequence, out _);

    private sealed class Pending
    {
        private readonly HashSet<string> _nodes = new(StringComparer.Ordinal);
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _expected = long.MaxValue;

        public int Count
        {
            get
            {
                lock (_nodes)
                {
                    return _nodes.Count;
                }
            }
        }

        public void Add(string node)
        {
            lock (_nodes)
            {
                if (_nodes.Add(node) && _nodes.Count >= _expected)
                {
                    _done.TrySetResult();
                }
            }
        }

        public Task Expect(long receivers)
        {
            lock (_nodes)
            {
                _expected = receivers;
                if (_nodes.Count >= receivers)
                {
                    _done.TrySetResult();
                }
            }

            return _done.Task;
        }
    }
}
