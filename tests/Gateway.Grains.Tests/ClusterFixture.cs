using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Orleans.Metadata;
using Orleans.TestingHost;

namespace Gateway.Grains.Tests;

/// <summary>
/// Two in-process silos in which every <see cref="UserGrain"/> runs on one shared
/// <see cref="TrackingTimeProvider"/>, so a test moves the grains' clock by hand. One instance per test
/// class (class fixture).
/// </summary>
/// <remarks>
/// The fake clock is handed to <see cref="UserGrain"/> only, through its own grain activator, and not
/// registered as the silo's <see cref="TimeProvider"/>: Orleans resolves that same service for its
/// membership probes, and with a frozen clock the second silo's start fails (its connectivity probe is
/// canceled at once).
/// </remarks>
public sealed class ClusterFixture : IAsyncLifetime
{
    public TrackingTimeProvider Time { get; } = new(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.Options.ConfigureFileLogging = false;
        var time = Time;
        builder.ConfigureSilo((_, silo) => silo.Services.AddSingleton<IConfigureGrainTypeComponents>(
            sp => new FakeClockUserGrainActivator(time, sp.GetRequiredService<GrainClassMap>(), sp.GetRequiredService<ILoggerFactory>())));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    /// <summary>Creates <see cref="UserGrain"/> instances with the fake clock; other grain types are left alone.</summary>
    private sealed class FakeClockUserGrainActivator(TimeProvider time, GrainClassMap classes, ILoggerFactory loggers)
        : IConfigureGrainTypeComponents, IGrainActivator
    {
        public void Configure(GrainType grainType, GrainProperties properties, GrainTypeSharedContext shared)
        {
            if (classes.TryGetGrainClass(grainType, out var grainClass) && grainClass == typeof(UserGrain))
            {
                shared.SetComponent<IGrainActivator>(this);
            }
        }

        public object CreateInstance(IGrainContext context) => new UserGrain(time, loggers.CreateLogger<UserGrain>());

        public ValueTask DisposeInstance(IGrainContext context, object instance) => ValueTask.CompletedTask;
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
        if (period == Timeout.InfiniteTimeSpan)
        {
            lock (_gate)
            {
                _oneShotTimers[dueTime] = _oneShotTimers.GetValueOrDefault(dueTime) + 1;
            }
        }

        return base.CreateTimer(callback, state, dueTime, period);
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
