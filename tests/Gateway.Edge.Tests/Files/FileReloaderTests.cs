using System.Diagnostics;
using Gateway.Edge.Files;
using Gateway.Edge.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Edge.Tests.Files;

/// <summary>
/// <see cref="FileReloader"/> on a volume with the kubelet's layout: a <c>..data</c> swap is taken through file
/// events within a fraction of a second, and without events at the poll plus one settle delay (fake time).
/// </summary>
public sealed class FileReloaderTests
{
    private const string Before = "alice:hash-1\nbob:hash-2\n";
    private const string After = "alice:hash-1\n";

    private static Dictionary<string, string> Htpasswd(string content) => new() { ["htpasswd"] = content };

    [Fact]
    public async Task RunAsync_KubeletDataSwap_TakenThroughFileEventsWithinOneSecond()
    {
        using var volume = KubeletVolume.Create(Htpasswd(Before));
        var file = new WatchedFile(volume.PathOf("htpasswd"));
        file.ReadInitial();
        var taken = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool Reload()
        {
            var changed = file.TryReadChange(out var content, out _);
            if (changed)
            {
                taken.TrySetResult(content);
            }

            return changed;
        }

        // A poll of one hour: only the file events can make it within the bound.
        using var reloader = new FileReloader(file, Reload, TimeSpan.FromHours(1), TimeProvider.System, NullLogger.Instance);
        Assert.True(reloader.IsWatching);
        using var stop = new CancellationTokenSource();
        var run = reloader.RunAsync(stop.Token);
        await Task.Yield();

        var clock = Stopwatch.StartNew();
        volume.Swap(Htpasswd(After));
        var content = await taken.Task.WaitAsync(TimeSpan.FromSeconds(10));
        clock.Stop();

        Assert.Equal(After, content);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"taken after {clock.Elapsed.TotalMilliseconds:F0} ms");
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task RunAsync_KubeletDataSwapWithoutFileEvents_TakenAtThePollPlusOneSettleDelay()
    {
        using var volume = KubeletVolume.Create(Htpasswd(Before));
        var file = new WatchedFile(volume.PathOf("htpasswd"));
        file.ReadInitial();
        var taken = new List<string>();
        bool Reload()
        {
            var changed = file.TryReadChange(out var content, out _);
            if (changed)
            {
                lock (taken)
                {
                    taken.Add(content);
                }
            }

            return changed;
        }

        var poll = TimeSpan.FromMilliseconds(500);
        var time = new CountingTimeProvider();
        using var reloader = new FileReloader(file, Reload, poll, time, NullLogger.Instance, watch: false);
        using var stop = new CancellationTokenSource();
        var run = reloader.RunAsync(stop.Token);
        await time.WaitForTimersAsync(1); // waiting for the poll

        volume.Swap(Htpasswd(After));
        time.Advance(poll - TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, time.Timers);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await time.WaitForTimersAsync(2); // the poll read the new content once, and waits to read it again
        lock (taken)
        {
            Assert.Empty(taken);
        }

        time.Advance(FileReloader.SettleDelay);
        await time.WaitForTimersAsync(3); // back to polling
        lock (taken)
        {
            Assert.Equal(After, Assert.Single(taken));
        }

        Assert.True(poll + FileReloader.SettleDelay <= TimeSpan.FromSeconds(1));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Fake time that counts the timers created, so a test knows when the loop waits again.</summary>
    private sealed class CountingTimeProvider : FakeTimeProvider
    {
        private int _timers;

        public int Timers => Volatile.Read(ref _timers);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Increment(ref _timers);
            return base.CreateTimer(callback, state, dueTime, period);
        }

        public async Task WaitForTimersAsync(int count)
        {
            for (var i = 0; i < 500 && Timers < count; i++)
            {
                await Task.Delay(10);
            }

            Assert.Equal(count, Timers);
        }
    }
}
