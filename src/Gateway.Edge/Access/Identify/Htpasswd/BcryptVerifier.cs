using System.Diagnostics;
using Gateway.Edge.Telemetry;
using Gateway.Registry.Credentials;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Access.Identify.Htpasswd;

/// <summary>
/// Runs bcrypt on this edge, at most <see cref="AuthOptions.MaxConcurrentVerifications"/> at once, and counts
/// every verification (<c>gateway.auth.bcrypt.verifications</c>).
/// </summary>
public sealed class BcryptVerifier : IDisposable
{
    private readonly SemaphoreSlim _slots;
    private readonly EdgeMetrics _metrics;
    private readonly FailurePadding _padding;

    /// <summary>Creates the verifier.</summary>
    public BcryptVerifier(IOptions<AuthOptions> options, EdgeMetrics metrics, FailurePadding padding)
    {
        _padding = padding;
        var slots = options.Value.MaxConcurrentVerifications > 0 ? options.Value.MaxConcurrentVerifications : Environment.ProcessorCount;
        _slots = new SemaphoreSlim(slots, slots);
        _metrics = metrics;
    }

    /// <summary>
    /// Checks a password against a bcrypt hash. Returns whether it matched and how long bcrypt itself took (the wait
    /// for a slot excluded), which <see cref="FailurePadding"/> also learns from.
    /// </summary>
    public async ValueTask<(bool Matched, TimeSpan Spent)> VerifyAsync(Secret password, string hash, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var cost = BcryptHash.TryGetCost(hash);
        using var activity = EdgeTelemetry.Source.StartActivity("gateway.bcrypt.verify");
        activity?.SetTag("gateway.bcrypt.cost", cost);
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Tens of milliseconds of CPU: on a thread-pool thread, never on the thread that carries the connections' I/O
            // (with Gateway:Transfer:InlineScheduling that thread also reads every other connection it serves).
            var (ok, spent) = await Task.Run(() => Measure(password, hash), CancellationToken.None).ConfigureAwait(false);
            _padding.Observe(cost ?? 0, spent);
            _metrics.BcryptVerified(ok, Stopwatch.GetElapsedTime(started));
            activity?.SetTag("gateway.bcrypt.result", ok ? "success" : "failure");
            return (ok, spent);
        }
        finally
        {
            _slots.Release();
        }
    }

    private static (bool Matched, TimeSpan Spent) Measure(Secret password, string hash)
    {
        var running = Stopwatch.GetTimestamp();
        var ok = BcryptHash.Verify(password, hash);
        return (ok, Stopwatch.GetElapsedTime(running));
    }

    /// <inheritdoc />
    public void Dispose() => _slots.Dispose();
}
