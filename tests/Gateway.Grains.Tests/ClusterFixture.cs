using Microsoft.Extensions.DependencyInjection;
using Gateway.Registry.Policies;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace Gateway.Grains.Tests;

/// <summary>
/// Two in-process silos whose gateway grains run on one shared <see cref="TrackingTimeProvider"/> (through
/// <see cref="GrainClock"/>), so a test moves the grains' clock by hand; lock state in a <see cref="SharedGrainStore"/>.
/// Lockout settings are small so tests reach them quickly. One instance per test class (class fixture).
/// </summary>
/// <remarks>
/// The fake clock is not registered as the silo's <see cref="TimeProvider"/>: Orleans resolves that same service for
/// its membership probes, and with a frozen clock the second silo's start fails.
/// </remarks>
public sealed class ClusterFixture : IAsyncLifetime
{
    public const int MaxFailures = 3;
    public const int MaxFailuresPerUser = 6;
    public const int MaxFailuresPerAddress = 8;
    public const int RequestLimit = 50;
    public const int PullLimit = 4;
    public static readonly TimeSpan LockWindow = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan LockDuration = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan MaxLockDuration = TimeSpan.FromHours(24);
    public static readonly TimeSpan RequestWindow = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan PullWindow = TimeSpan.FromHours(6);

    /// <summary>The grain storage every silo shares, as Redis is shared.</summary>
    public SharedGrainStore Store { get; } = new();

    /// <summary>The sweep index every silo shares, as the Redis one is shared.</summary>
    public Gateway.Grains.Retention.MemoryStateSweepIndex SweepIndex { get; } = new();

    public TrackingTimeProvider Time { get; } = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.Options.ConfigureFileLogging = false;
        var clock = new GrainClock(Time);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddKeyedSingleton<Orleans.Storage.IGrainStorage>(GrainStorage.Name, (services, _) => Store.For(services.GetRequiredService<Orleans.Serialization.Serializer>()));
            silo.Services.AddSingleton(clock);
            silo.Services.AddSingleton<Gateway.Grains.Retention.IStateSweepIndex>(SweepIndex);
            silo.Services.AddSingleton<Gateway.Grains.Retention.StateSweeper>();
            silo.Services.Configure<LockoutOptions>(o =>
            {
                o.MaxFailures = MaxFailures;
                o.MaxFailuresPerUser = MaxFailuresPerUser;
                o.MaxFailuresPerAddress = MaxFailuresPerAddress;
                o.Window = LockWindow;
                o.Duration = LockDuration;
                o.MaxDuration = MaxLockDuration;
            });
            silo.Services.Configure<RateLimitOptions>(o =>
            {
                o.Requests = new RateLimitRule { Limit = RequestLimit, Window = RequestWindow };
                o.Pulls = new RateLimitRule { Limit = PullLimit, Window = PullWindow };
            });
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }
}

/// <summary>
/// A <see cref="FakeTimeProvider"/> that counts the one-shot timers created per due time, so a test can
/// wait until requests are parked in <c>WaitAsync(timeout, TimeProvider)</c> inside a grain.
/// </summary>
public sealed class TrackingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<TimeSpan, int> _oneShotTimers = [];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        // Counted only once the timer exists: a test that sees the count and advances the clock must find it there
        // (counted first, an Advance in between left a timer due after the new "now", and it never fired).
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (period == Timeout.InfiniteTimeSpan)
        {
            lock (_gate)
            {
                _oneShotTimers[dueTime] = _oneShotTimers.GetValueOrDefault(dueTime) + 1;
            }
        }

        return timer;
    }

    /// <summary>How many one-shot timers with this due time were created so far.</summary>
    public int OneShotTimers(TimeSpan dueTime)
    {
        lock (_gate)
        {
            return _oneShotTimers.GetValueOrDefault(dueTime);
        }
    }
}
