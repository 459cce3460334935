using Gateway.Contracts;
using Gateway.Grains.Retention;
using Gateway.Registry.Policies;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Placement;
using Gateway.Registry.Logging;

namespace Gateway.Grains;

/// <summary>
/// Counts failed verifications from one client address (IPv6 by /64) across all user names; at
/// <see cref="LockoutOptions.MaxFailuresPerAddress"/> within the window it blocks the address for password checks of
/// every user. The state is persisted, so a block survives the loss of the silo that held it.
/// </summary>
[Reentrant]
[PreferLocalPlacement]
public sealed partial class AddressGrain(
    [PersistentState("address", GrainStorage.Name)] IPersistentState<AddressState> state,
    IOptions<LockoutOptions> options,
    GrainClock clock,
    IStateSweepIndex sweep,
    ILogger<AddressGrain> logger) : Grain, IAddressGrain
{
    private readonly TimeProvider _time = clock.Time;

    private RetainedStateWriter<AddressState>? _writer;

    private RetainedStateWriter<AddressState> Writer => _writer ??= new(state, sweep, SweepEntry.Address(this.GetPrimaryKeyString()), logger);

    private LockoutRule Rule => options.Value.AddressRule;

    /// <inheritdoc />
    public Task<AddressStatus> CheckAsync() => Task.FromResult(Status(_time.GetUtcNow()));

    /// <inheritdoc />
    public async Task<AddressStatus> RecordFailureAsync()
    {
        var now = _time.GetUtcNow();
        var blocked = LockoutPolicy.RecordFailure(state.State.Entry, Rule, now);
        if (blocked is { } block)
        {
            Log.Blocked(logger, this.GetPrimaryKeyString(), block.Failures, block.Until);
            LockoutMetrics.Imposed("address");
        }

        await Writer.PersistAsync(Retained());
        return Status(now);
    }

    /// <inheritdoc />
    public Task<AddressStatus> GetStatusAsync() => Task.FromResult(Status(_time.GetUtcNow()));

    /// <inheritdoc />
    public async Task<AddressStatus> UnblockAsync()
    {
        LockoutPolicy.Unlock(state.State.Entry);
        Log.Unblocked(logger, this.GetPrimaryKeyString());
        await Writer.PersistAsync(Retained());
        return Status(_time.GetUtcNow());
    }

    /// <inheritdoc />
    public async Task ForgetIfIdleAsync()
    {
        if (await Writer.ForgetIfIdleAsync(Retained()))
        {
            DeactivateOnIdle();
        }
    }

    private RetentionDecision Retained() => StateRetention.Of(state.State, options.Value, _time.GetUtcNow());

    private AddressStatus Status(DateTimeOffset now)
    {
        var entry = state.State.Entry;
        return new AddressStatus
        {
            Address = this.GetPrimaryKeyString(),
            Failures = LockoutPolicy.CountFailures(entry, Rule, now),
            BlockedUntil = LockoutPolicy.IsLocked(entry, now) ? entry.LockedUntil : null,
            Blocks = entry.LockCount,
        };
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.AddressBlocked, Level = LogLevel.Warning, Message = "Address {Address} blocked for every user until {Until:u} after {Failures} failed attempts")]
        public static partial void Blocked(ILogger logger, string address, int failures, DateTimeOffset until);

        [LoggerMessage(EventId = EventIds.AddressUnblocked, Level = LogLevel.Warning, Message = "Address {Address} unblocked by an operator")]
        public static partial void Unblocked(ILogger logger, string address);
    }
}
