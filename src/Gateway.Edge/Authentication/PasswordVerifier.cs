using System.Diagnostics;
using Gateway.Edge.Telemetry;
using Gateway.Registry.Credentials;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Authentication;

/// <summary>
/// Runs bcrypt on this edge, at most <see cref="AuthOptions.MaxConcurrentVerifications"/> at once, and counts
/// every verification (<c>gateway.auth.bcrypt.verifications</c>).
/// </summary>
public sealed class PasswordVerifier : IDisposable
{
    private readonly SemaphoreSlim _slots;
    private readonly EdgeMetrics _metrics;

    /// <summary>Creates the verifier.</summary>
    public PasswordVerifier(IOptions<AuthOptions> options, EdgeMetrics metrics)
    {
        var slots = options.Value.MaxConcurrentVerifications > 0 ? options.Value.MaxConcurrentVerifications : Environment.ProcessorCount;
        _slots = new SemaphoreSlim(slots, slots);
        _metrics = metrics;
    }

    /// <summary>Checks a password against a bcrypt hash.</summary>
    public async ValueTask<bool> VerifyAsync(Secret password, string hash, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var activity = EdgeTelemetry.Source.StartActivity("gateway.bcrypt.verify");
        activity?.SetTag("gateway.bcrypt.cost", BcryptHash.TryGetCost(hash));
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var ok = BcryptHash.Verify(password, hash);
            _metrics.BcryptVerified(ok, Stopwatch.GetElapsedTime(started));
            activity?.SetTag("gateway.bcrypt.result", ok ? "success" : "failure");
            return ok;
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _slots.Dispose();
}
