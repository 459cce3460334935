using Microsoft.Extensions.Logging;
using Gateway.Registry.Logging;

namespace Gateway.Edge.Files;

/// <summary>
/// Decides when a <see cref="WatchedFile"/> is read again: at once on any event in its folder, and every poll interval
/// as the safety net. The folder is watched, not the file, and links are not followed: a Kubernetes Secret or
/// ConfigMap volume changes by renaming a new <c>..data</c> link over the old one in that folder, and an editor or
/// <c>htpasswd</c> writes the file in it. Events can be missed (network file systems, inotify limits), so the poll
/// stays. A new content is read again after <see cref="SettleDelay"/> until two reads agree. Bound: a change is taken
/// within about <see cref="SettleDelay"/> of an event, and within the poll interval plus <see cref="SettleDelay"/>
/// without one.
/// </summary>
public sealed partial class FileReloader : IDisposable
{
    /// <summary>How long after a read that found a new content the file is read again to confirm it.</summary>
    public static readonly TimeSpan SettleDelay = TimeSpan.FromMilliseconds(100);

    // A file that keeps changing for this many settle delays (5 s) is left to the poll.
    private const int MaxSettleReads = 50;

    private readonly WatchedFile _file;
    private readonly Func<bool> _reload;
    private readonly TimeSpan _pollInterval;
    private readonly TimeProvider _time;
    private readonly FileSystemWatcher? _watcher;
    private TaskCompletionSource _changed = NewSignal();

    /// <param name="file">The file.</param>
    /// <param name="reload">Reads the file and takes a change (the store's <c>ReloadIfChanged</c>).</param>
    /// <param name="pollInterval">How often the file is read without events.</param>
    /// <param name="time">The clock of the poll and of the settle delay.</param>
    /// <param name="logger">Where a folder that cannot be watched is reported.</param>
    /// <param name="watch">False: poll only (tests of the poll; file systems without events).</param>
    public FileReloader(WatchedFile file, Func<bool> reload, TimeSpan pollInterval, TimeProvider time, ILogger logger, bool watch = true)
    {
        _file = file;
        _reload = reload;
        _pollInterval = pollInterval;
        _time = time;
        if (watch)
        {
            _watcher = TryWatch(Path.GetDirectoryName(file.Path)!, logger);
        }
    }

    /// <summary>True when file events are delivered (false: poll only).</summary>
    public bool IsWatching => _watcher is not null;

    /// <summary>Reloads on events and polls until <paramref name="stoppingToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var changed = Volatile.Read(ref _changed).Task;
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
                {
                    await Task.WhenAny(changed, Task.Delay(_pollInterval, _time, wait.Token)).ConfigureAwait(false);
                    await wait.CancelAsync().ConfigureAwait(false); // the poll timer, when an event came first
                }

                stoppingToken.ThrowIfCancellationRequested();
                if (changed.IsCompleted)
                {
                    // Before reading: an event during the read below signals the next round.
                    Interlocked.Exchange(ref _changed, NewSignal());
                }

                _reload();
                for (var reads = 0; _file.ChangePending && reads < MaxSettleReads; reads++)
                {
                    await Task.Delay(SettleDelay, _time, stoppingToken).ConfigureAwait(false);
                    _reload();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <inheritdoc />
    public void Dispose() => _watcher?.Dispose();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Signal() => Volatile.Read(ref _changed).TrySetResult();

    private FileSystemWatcher? TryWatch(string folder, ILogger logger)
    {
        FileSystemWatcher? watcher = null;
        try
        {
            watcher = new FileSystemWatcher(folder)
            {
                IncludeSubdirectories = false,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime | NotifyFilters.Attributes,
            };
            watcher.Changed += (_, _) => Signal();
            watcher.Created += (_, _) => Signal();
            watcher.Deleted += (_, _) => Signal();
            watcher.Renamed += (_, _) => Signal();
            watcher.Error += (_, _) => Signal(); // an overflow: events were lost, read now
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or PlatformNotSupportedException)
        {
            // E.g. fs.inotify.max_user_instances reached: the poll alone still finds every change.
            watcher?.Dispose();
            Log.WatchUnavailable(logger, folder, _pollInterval.TotalSeconds, ex.Message);
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.FileWatchFailed, Level = LogLevel.Warning, Message = "Cannot watch folder {Folder} for changes; reading the file every {Seconds} s instead: {Reason}")]
        public static partial void WatchUnavailable(ILogger logger, string folder, double seconds, string reason);
    }
}
