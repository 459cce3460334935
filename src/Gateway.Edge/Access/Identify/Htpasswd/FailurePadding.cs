using System.Collections.Concurrent;

namespace Gateway.Edge.Access.Identify.Htpasswd;

/// <summary>
/// Makes every failed password check cost the same wall time, whatever bcrypt cost the user's hash has: a failure is
/// held until it has taken as long as a verification at the file's highest cost takes on this edge now (the unknown
/// user's dummy hash has that cost). Without it, with users at cost 10 and 5 in one file, a wrong password for a
/// cost-5 user answered in 13 ms and an unknown user in 190 ms: one try per name told which names exist. Durations are
/// measured here, at load, per cost (a moving average); a cost never measured is estimated from the highest measured one,
/// since bcrypt's work doubles with each cost step. Successes are never held.
/// </summary>
public sealed class FailurePadding(TimeProvider time)
{
    /// <summary>Weight of a new measurement in the moving average.</summary>
    private const double Weight = 0.2;

    private readonly ConcurrentDictionary<int, double> _seconds = new();

    /// <summary>Records how long one bcrypt verification at <paramref name="cost"/> took (the verification alone, no queueing).</summary>
    public void Observe(int cost, TimeSpan spent)
    {
        if (cost is < 4 or > 31 || spent <= TimeSpan.Zero)
        {
            return;
        }

        _seconds.AddOrUpdate(cost, spent.TotalSeconds, (_, average) => average + (Weight * (spent.TotalSeconds - average)));
    }

    /// <summary>What a verification at <paramref name="cost"/> takes now, as measured (or estimated); zero before any measurement.</summary>
    public TimeSpan Expected(int cost)
    {
        if (_seconds.TryGetValue(cost, out var measured))
        {
            return TimeSpan.FromSeconds(measured);
        }

        var nearest = -1;
        foreach (var known in _seconds.Keys)
        {
            if (known > nearest)
            {
                nearest = known;
            }
        }

        return nearest < 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(_seconds[nearest] * Math.Pow(2, cost - nearest));
    }

    /// <summary>Waits until a failure whose verification took <paramref name="spent"/> has taken as long as one at <paramref name="highestCost"/>.</summary>
    public Task PadAsync(TimeSpan spent, int highestCost, CancellationToken cancellationToken)
    {
        var rest = Expected(highestCost) - spent;
        return rest > TimeSpan.FromMilliseconds(1) ? Task.Delay(rest, time, cancellationToken) : Task.CompletedTask;
    }
}
