using Microsoft.Extensions.Options;
using Gateway.Registry.Logging;

namespace Gateway.Host.Shutdown;

/// <summary>
/// On SIGTERM, before anything stops: readiness turns 503 and the node keeps serving for
/// <see cref="ShutdownOptions.DrainDelay"/>. Then Kestrel stops accepting and lets in-flight requests finish
/// (bounded by the host's shutdown timeout), and only then do the Orleans client or silo stop.
/// </summary>
public sealed partial class DrainService(DrainState state, IOptions<ShutdownOptions> options, ILogger<DrainService> logger) : IHostedLifecycleService
{
    /// <inheritdoc />
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        state.Start();
        var delay = options.Value.DrainDelay;
        Log.Draining(logger, delay.TotalSeconds);
        if (delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(delay, cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <inheritdoc />
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        Log.Stopped(logger);
        return Task.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.Draining, Level = LogLevel.Information, Message = "Shutdown requested: draining, readiness is 503 for {Seconds} s while requests are still served")]
        public static partial void Draining(ILogger logger, double seconds);

        [LoggerMessage(EventId = EventIds.Stopped, Level = LogLevel.Information, Message = "Gateway stopped")]
        public static partial void Stopped(ILogger logger);
    }
}
