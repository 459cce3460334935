namespace Gateway.Edge.Health;

/// <summary>The last results of checking one dependency (thread-safe: written by the check, read by probes and metrics).</summary>
public sealed class DependencyStatus(string name)
{
    private readonly Lock _gate = new();
    private DateTimeOffset? _lastSuccess;
    private bool _up;
    private string _detail = "not checked yet";

    /// <summary>The dependency's name: <c>cluster</c> or <c>registry</c> (the metric's label).</summary>
    public string Name { get; } = name;

    /// <summary>Whether the last check succeeded.</summary>
    public bool Up
    {
        get
        {
            lock (_gate)
            {
                return _up;
            }
        }
    }

    /// <summary>Records one check.</summary>
    public void Record(bool succeeded, string detail, DateTimeOffset now)
    {
        lock (_gate)
        {
            _up = succeeded;
            _detail = detail;
            if (succeeded)
            {
                _lastSuccess = now;
            }
        }
    }

    /// <summary>
    /// Whether the dependency counts as available at <paramref name="now"/>: a check succeeded within
    /// <paramref name="unreadyAfter"/>. <paramref name="detail"/> says what the last check found.
    /// </summary>
    public bool IsAvailable(DateTimeOffset now, TimeSpan unreadyAfter, out string detail)
    {
        lock (_gate)
        {
            detail = _lastSuccess is { } last
                ? $"{_detail} (last success {(now - last).TotalSeconds:F1} s ago)"
                : _detail;
            return _lastSuccess is { } success && now - success <= unreadyAfter;
        }
    }
}
