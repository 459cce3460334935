using Microsoft.Extensions.Logging;
using Gateway.Registry.Logging;

namespace Gateway.Grains.Retention;

/// <summary>
/// Persists a grain's state as its <see cref="RetentionDecision"/> says: writes it and schedules the next look when it will
/// expire, writes it and drops any schedule when it must be kept, deletes the record when nothing is left. Writes stay
/// serial (<see cref="SerialStateWriter{TState}"/>). A sweep index that cannot be reached loses no state: the record
/// stays, and the next change schedules it again.
/// </summary>
internal sealed partial class RetainedStateWriter<TState>(IPersistentState<TState> state, IStateSweepIndex index, SweepEntry entry, ILogger logger)
{
    private readonly SerialStateWriter<TState> _writer = new(state);

    // Unknown at activation: an earlier activation may have scheduled this grain, so the first Keep cancels once.
    private bool _maybeScheduled = true;

    /// <summary>Persists the state after a change.</summary>
    public async Task PersistAsync(RetentionDecision retention)
    {
        if (retention.Kind == RetentionKind.Forget)
        {
            await _writer.ClearAsync();
        }
        else
        {
            await _writer.WriteAsync();
        }

        await ScheduleAsync(retention);
    }

    /// <summary>The sweeper's call: deletes the record when nothing is left, else schedules the next look. True when deleted.</summary>
    public async Task<bool> ForgetIfIdleAsync(RetentionDecision retention)
    {
        if (retention.Kind == RetentionKind.Forget && state.RecordExists)
        {
            await _writer.ClearAsync();
        }

        await ScheduleAsync(retention);
        return retention.Kind == RetentionKind.Forget;
    }

    private async Task ScheduleAsync(RetentionDecision retention)
    {
        try
        {
            if (retention.Kind == RetentionKind.Until)
            {
                await index.ScheduleAsync(entry, retention.Until!.Value);
                _maybeScheduled = true;
            }
            else if (_maybeScheduled)
            {
                await index.CancelAsync(entry);
                _maybeScheduled = false;
            }
        }
        catch (Exception ex)
        {
            Log.IndexFailed(logger, entry.ToString(), ex.GetType().Name, ex.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.SweepIndexFailed, Level = LogLevel.Warning, Message = "The sweep index could not be updated for {Entry}: {ExceptionType}: {Reason}")]
        public static partial void IndexFailed(ILogger logger, string entry, string exceptionType, string reason);
    }
}
