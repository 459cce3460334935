using Microsoft.Extensions.Options;

namespace Gateway.Edge.Caching;

/// <summary>
/// The answers in memory: least recently used first out when <see cref="CacheOptions.MaxBytes"/> would be passed, each
/// served until its <see cref="CacheOptions.Ttl"/>, and dropped per content address when a <c>DELETE</c> is seen on
/// any node. One lock guards the lists: every operation is a few dictionary and list steps, no I/O.
/// </summary>
public sealed class EdgeAnswerCache
{
    private readonly object _gate = new();
    private readonly Dictionary<AnswerKey, LinkedListNode<Entry>> _entries = [];
    private readonly Dictionary<ContentAddress, List<AnswerKey>> _byAddress = [];
    private readonly LinkedList<Entry> _recency = new();
    private readonly TimeProvider _time;
    private readonly long _maxBytes;
    private readonly long _entryLimit;
    private readonly TimeSpan _ttl;
    private long _bytes;
    private long _generation;

    /// <summary>Creates the cache from its options.</summary>
    public EdgeAnswerCache(IOptions<CacheOptions> options, TimeProvider time)
    {
        _time = time;
        _maxBytes = options.Value.MaxBytes;
        _entryLimit = options.Value.EntryLimit;
        _ttl = options.Value.Ttl;
    }

    /// <summary>The bytes held now (never more than <see cref="CacheOptions.MaxBytes"/>).</summary>
    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    /// <summary>The number of answers held now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// A counter that changes with every invalidation and clear. A fill reads it before asking the registry and passes
    /// it to <see cref="TryAdd"/>: an answer fetched while a <c>DELETE</c> was invalidating is not kept.
    /// </summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>The live answer for a key; for a <c>GET</c> (<paramref name="needsBody"/>) only one that has a body.</summary>
    public CachedAnswer? TryGet(AnswerKey key, bool needsBody)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out var node))
            {
                return null;
            }

            if (node.Value.Answer.Expires <= _time.GetUtcNow())
            {
                RemoveLocked(node);
                return null;
            }

            if (needsBody && node.Value.Answer.Body is null)
            {
                return null;
            }

            _recency.Remove(node);
            _recency.AddFirst(node);
            return node.Value.Answer;
        }
    }

    /// <summary>
    /// Keeps an answer unless the cache was invalidated since <paramref name="generation"/>, the answer is over the entry
    /// limit, or a <c>HEAD</c> answer would replace one that has a body. Returns whether it was kept.
    /// </summary>
    public bool TryAdd(AnswerKey key, IReadOnlyList<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>> headers, byte[]? body, long generation)
    {
        var answer = new CachedAnswer(headers, body, _time.GetUtcNow() + _ttl);
        var size = answer.SizeWith(key);
        if (size > _entryLimit)
        {
            return false;
        }

        lock (_gate)
        {
            if (Interlocked.Read(ref _generation) != generation)
            {
                return false;
            }

            if (_entries.TryGetValue(key, out var existing))
            {
                if (body is null && existing.Value.Answer.Body is not null && existing.Value.Answer.Expires > _time.GetUtcNow())
                {
                    return false;
                }

                RemoveLocked(existing);
            }

            while (_bytes + size > _maxBytes && _recency.Last is { } oldest)
            {
                RemoveLocked(oldest);
            }

            var node = _recency.AddFirst(new Entry(key, answer, size));
            _entries[key] = node;
            if (!_byAddress.TryGetValue(key.Address, out var keys))
            {
                _byAddress[key.Address] = keys = [];
            }

            keys.Add(key);
            _bytes += size;
            return true;
        }
    }

    /// <summary>Drops every answer for a content address (all <c>Accept</c> variants). Returns how many were dropped.</summary>
    public int Invalidate(ContentAddress address)
    {
        lock (_gate)
        {
            Interlocked.Increment(ref _generation);
            if (!_byAddress.TryGetValue(address, out var keys))
            {
                return 0;
            }

            var dropped = 0;
            foreach (var key in keys.ToArray())
            {
                if (_entries.TryGetValue(key, out var node))
                {
                    RemoveLocked(node);
                    dropped++;
                }
            }

            return dropped;
        }
    }

    /// <summary>Drops everything: when invalidations may have been missed (the channel to the other nodes was lost).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            Interlocked.Increment(ref _generation);
            _entries.Clear();
            _byAddress.Clear();
            _recency.Clear();
            _bytes = 0;
        }
    }

    private void RemoveLocked(LinkedListNode<Entry> node)
    {
        var entry = node.Value;
        _recency.Remove(node);
        _entries.Remove(entry.Key);
        _bytes -= entry.Size;
        if (_byAddress.TryGetValue(entry.Key.Address, out var keys))
        {
            keys.Remove(entry.Key);
            if (keys.Count == 0)
            {
                _byAddress.Remove(entry.Key.Address);
            }
        }
    }

    private sealed record Entry(AnswerKey Key, CachedAnswer Answer, long Size);
}
