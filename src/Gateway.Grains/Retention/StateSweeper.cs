using Gateway.Contracts;
using Gateway.Registry.Policies;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Gateway.Registry.Logging;

namespace Gateway.Grains.Retention;

/// <summary>
/// Every <see cref="LockoutOptions.SweepInterval"/>, asks each grain whose state is due in the sweep index to forget
/// what has expired (<see cref="IUserGrain.ForgetIfIdleAsync"/>, <see cref="IAddressGrain.ForgetIfIdleAsync"/>). Runs on
/// every silo; asking a grain twice is harmless.
/// </summary>
public sealed partial class StateSweeper(IStateSweepIndex index, IGrainFactory grains, GrainClock clock, IOptions<LockoutOptions> options, ILogger<StateSweeper> logger) : BackgroundService
{
    /// <summary>Entries asked per batch.</summary>
    internal const int BatchSize = 256;

    /// <summary>Batches per sweep at most, so one sweep ends even when grains keep failing.</summary>
    internal const int MaxBatches = 400;

    /// <summary>Grains asked at once.</summary>
    private const int Parallelism = 16;

    /// <summary>Sweeps once: every due entry is asked (bounded by <see cref="MaxBatches"/>). Returns how many were asked.</summary>
    public async Task<int> SweepOnceAsync(CancellationToken cancellationToken)
    {
        var asked = 0;
        var failedThisSweep = new HashSet<SweepEntry>();
        for (var batch = 0; batch < MaxBatches && !cancellationToken.IsCancellationRequested; batch++)
        {
            var due = (await index.DueAsync(clock.Time.GetUtcNow(), BatchSize + failedThisSweep.Count).ConfigureAwait(false))
                .Where(e => !failedThisSweep.Contains(e))
                .Take(BatchSize)
                .ToList();
            if (due.Count == 0)
            {
                break;
            }

            await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (entry, _) =>
            {
                try
                {
                    await (entry.IsAddress
                        ? grains.GetGrain<IAddressGrain>(entry.Key).ForgetIfIdleAsync()
                        : grains.GetGrain<IUserGrain>(entry.Key).ForgetIfIdleAsync()).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    lock (failedThisSweep)
                    {
                        failedThisSweep.Add(entry);
                    }

                    Log.SweepFailed(logger, ex.GetType().Name, ex.Message);
                }
            }).ConfigureAwait(false);
            asked += due.Count;
        }

        return asked;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, clock.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    var asked = await SweepOnceAsync(stoppingToken).ConfigureAwait(false);
                    if (asked > 0)
                    {
                        Log.Swept(logger, asked);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.SweepFailed(logger, ex.GetType().Name, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.StateSwept, Level = LogLevel.Debug, Message = "Asked {Count} grains to forget expired lockout state")]
        public static partial void Swept(ILogger logger, int count);

        [LoggerMessage(EventId = EventIds.StateSweepFailed, Level = LogLevel.Warning, Message = "Sweeping expired lockout state failed: {ExceptionType}: {Reason}")]
        public static partial void SweepFailed(ILogger logger, string exceptionType, string reason);
    }
}
