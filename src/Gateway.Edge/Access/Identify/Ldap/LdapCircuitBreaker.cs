namespace Gateway.Edge.Access.Identify.Ldap;

/// <summary>
/// One server's circuit breaker: closed while it answers; open (skipped) for a while after
/// <see cref="LdapOptions.FailuresToOpen"/> failures in a row; then half-open, when exactly one verification may try it:
/// success closes it, failure opens it again. So a dead server costs its timeout a couple of times, not on every login.
/// Thread-safe.
/// </summary>
public sealed class LdapCircuitBreaker(int failuresToOpen, TimeSpan breakDuration, TimeProvider time)
{
    private readonly Lock _gate = new();
    private int _failures;
    private long _openUntil = long.MinValue;
    private bool _probing;

    /// <summary>True while the server is skipped (open, and its break not yet over).</summary>
    public bool IsOpen
    {
        get
        {
            lock (_gate)
            {
                return _failures >= failuresToOpen && time.GetTimestamp() < _openUntil;
            }
        }
    }

    /// <summary>
    /// True when a verification may use the server now: always while closed; once the break is over, only the one
    /// probe (until it reports).
    /// </summary>
    public bool TryEnter()
    {
        lock (_gate)
        {
            if (_failures < failuresToOpen)
            {
                return true;
            }

            if (time.GetTimestamp() < _openUntil || _probing)
            {
                return false;
            }

            _probing = true;
            return true;
        }
    }

    /// <summary>Records an answer from the server (right or wrong password alike); true when this closed an open breaker.</summary>
    public bool Succeeded()
    {
        lock (_gate)
        {
            var wasOpen = _failures >= failuresToOpen;
            _failures = 0;
            _probing = false;
            return wasOpen;
        }
    }

    /// <summary>Records a failure (unreachable, timed out, TLS refused); true when this opened the breaker.</summary>
    public bool Failed()
    {
        lock (_gate)
        {
            var wasOpen = _failures >= failuresToOpen;
            _failures = Math.Min(_failures + 1, int.MaxValue - 1);
            _probing = false;
            if (_failures < failuresToOpen)
            {
                return false;
            }

            _openUntil = time.GetTimestamp() + (long)(breakDuration.TotalSeconds * time.TimestampFrequency);
            return !wasOpen;
        }
    }
}
