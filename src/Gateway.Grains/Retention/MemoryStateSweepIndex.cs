namespace Gateway.Grains.Retention;

/// <summary>The sweep index of a node with in-memory grain storage (localhost clustering, tests).</summary>
public sealed class MemoryStateSweepIndex : IStateSweepIndex
{
    private readonly object _sync = new();
    private readonly Dictionary<string, DateTimeOffset> _due = new(StringComparer.Ordinal);
    private readonly SortedSet<(DateTimeOffset At, string Entry)> _order = new();

    /// <inheritdoc />
    public Task ScheduleAsync(SweepEntry entry, DateTimeOffset at)
    {
        var key = entry.ToString();
        lock (_sync)
        {
            if (_due.TryGetValue(key, out var previous))
            {
                _order.Remove((previous, key));
            }

            _due[key] = at;
            _order.Add((at, key));
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task CancelAsync(SweepEntry entry)
    {
        var key = entry.ToString();
        lock (_sync)
        {
            if (_due.Remove(key, out var previous))
            {
                _order.Remove((previous, key));
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SweepEntry>> DueAsync(DateTimeOffset now, int max)
    {
        var due = new List<SweepEntry>();
        lock (_sync)
        {
            foreach (var (at, key) in _order)
            {
                if (at > now || due.Count >= max)
                {
                    break;
                }

                if (SweepEntry.TryParse(key, out var entry))
                {
                    due.Add(entry);
                }
            }
        }

        return Task.FromResult<IReadOnlyList<SweepEntry>>(due);
    }

    /// <inheritdoc />
    public Task<long> CountAsync()
    {
        lock (_sync)
        {
            return Task.FromResult((long)_due.Count);
        }
    }
}
