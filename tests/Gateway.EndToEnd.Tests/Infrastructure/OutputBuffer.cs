using System.Text;

namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>Thread-safe store of a process's output lines, with waiters for a matching line.</summary>
internal sealed class OutputBuffer
{
    private readonly Lock _gate = new();
    private readonly List<string> _lines = [];
    private readonly StringBuilder _standardOutput = new();
    private readonly StringBuilder _standardError = new();
    private readonly List<Waiter> _waiters = [];

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _lines.Count;
            }
        }
    }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    public string Text
    {
        get
        {
            lock (_gate)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    public string StandardOutput
    {
        get
        {
            lock (_gate)
            {
                return _standardOutput.ToString();
            }
        }
    }

    public string StandardError
    {
        get
        {
            lock (_gate)
            {
                return _standardError.ToString();
            }
        }
    }

    public string Tail(int lines)
    {
        lock (_gate)
        {
            return string.Join('\n', _lines.Skip(Math.Max(0, _lines.Count - lines)));
        }
    }

    public void Add(string line, bool isError)
    {
        List<(Waiter Waiter, Exception? Error)> done = [];
        lock (_gate)
        {
            _lines.Add(line);
            (isError ? _standardError : _standardOutput).Append(line).Append('\n');
            var index = _lines.Count - 1;
            foreach (var waiter in _waiters)
            {
                if (index < waiter.FromLine)
                {
                    continue;
                }

                try
                {
                    if (waiter.Predicate(line))
                    {
                        done.Add((waiter, null));
                    }
                }
#pragma warning disable CA1031 // a throwing predicate fails its waiter, not the output reader
                catch (Exception e)
#pragma warning restore CA1031
                {
                    done.Add((waiter, e));
                }
            }

            foreach (var (waiter, _) in done)
            {
                _waiters.Remove(waiter);
            }
        }

        foreach (var (waiter, error) in done)
        {
            if (error is null)
            {
                waiter.Completion.TrySetResult(line);
            }
            else
            {
                waiter.Completion.TrySetException(error);
            }
        }
    }

    /// <summary>Completes with the first line (index ≥ <paramref name="fromLine"/>) matching, already seen or future.</summary>
    public Task<string> WaitAsync(Func<string, bool> predicate, int fromLine, CancellationToken cancellationToken)
    {
        var waiter = new Waiter(predicate, fromLine);
        lock (_gate)
        {
            for (var i = Math.Max(0, fromLine); i < _lines.Count; i++)
            {
                if (predicate(_lines[i]))
                {
                    return Task.FromResult(_lines[i]);
                }
            }

            _waiters.Add(waiter);
        }

        cancellationToken.Register(() =>
        {
            lock (_gate)
            {
                _waiters.Remove(waiter);
            }

            waiter.Completion.TrySetCanceled(cancellationToken);
        });
        return waiter.Completion.Task;
    }

    private sealed class Waiter(Func<string, bool> predicate, int fromLine)
    {
        public Func<string, bool> Predicate { get; } = predicate;

        public int FromLine { get; } = fromLine;

        public TaskCompletionSource<string> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
