using Gateway.Registry.Configuration;
using Gateway.Edge.Files;
using Gateway.Registry.Credentials;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Gateway.Registry.Logging;

namespace Gateway.Edge.Access.Identify.Htpasswd;

/// <summary>
/// The current version of the htpasswd file. Loaded at start-up (an invalid file stops the process with
/// the lines at fault); <see cref="HtpasswdReloadService"/> swaps in new versions as the file changes,
/// and keeps the last good version when a change is invalid.
/// </summary>
public sealed partial class HtpasswdStore
{
    private readonly ILogger<HtpasswdStore> _logger;
    private readonly WatchedFile _file;
    private volatile HtpasswdSnapshot _current;

    /// <summary>Loads the file; throws <see cref="ConfigurationException"/> naming the key and the lines when it cannot be used.</summary>
    public HtpasswdStore(IOptions<AuthOptions> options, ILogger<HtpasswdStore> logger)
    {
        _logger = logger;
        _file = new WatchedFile(options.Value.HtpasswdFile ?? throw new ConfigurationException($"{AuthOptions.SectionName}:HtpasswdFile is required."));
        var result = HtpasswdParser.Parse(Path, _file.ReadInitial());
        if (!result.IsValid)
        {
            throw new ConfigurationException(
                $"{AuthOptions.SectionName}:HtpasswdFile '{Path}' cannot be used:{Environment.NewLine}  " +
                string.Join(Environment.NewLine + "  ", result.Problems.Select(p => p.Message)));
        }

        _current = result.Snapshot!;
        Log.Loaded(_logger, Path, _current.Entries.Count);
    }

    /// <summary>The file's full path.</summary>
    public string Path => _file.Path;

    /// <summary>The file, for <see cref="Files.FileReloader"/>.</summary>
    public WatchedFile Watched => _file;

    /// <summary>The current entries.</summary>
    public HtpasswdSnapshot Current => _current;

    /// <summary>Reloads the file when it changed; returns true when a new version was taken.</summary>
    public bool ReloadIfChanged()
    {
        if (!_file.TryReadChange(out var content, out var error))
        {
            if (error is not null)
            {
                Log.ReadFailed(_logger, Path, error);
            }

            return false;
        }

        var result = HtpasswdParser.Parse(Path, content, _current.DummyHash);
        if (!result.IsValid)
        {
            foreach (var problem in result.Problems)
            {
                Log.InvalidReload(_logger, problem.Message);
            }

            return false;
        }

        _current = result.Snapshot!;
        Log.Reloaded(_logger, Path, _current.Entries.Count);
        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.HtpasswdLoaded, Level = LogLevel.Information, Message = "Loaded htpasswd file {Path}: {Count} users")]
        public static partial void Loaded(ILogger logger, string path, int count);

        [LoggerMessage(EventId = EventIds.HtpasswdReloaded, Level = LogLevel.Information, Message = "Reloaded htpasswd file {Path}: {Count} users")]
        public static partial void Reloaded(ILogger logger, string path, int count);

        [LoggerMessage(EventId = EventIds.HtpasswdRejected, Level = LogLevel.Error, Message = "htpasswd file changed but cannot be used; keeping the previous version: {Problem}")]
        public static partial void InvalidReload(ILogger logger, string problem);

        [LoggerMessage(EventId = EventIds.HtpasswdUnreadable, Level = LogLevel.Warning, Message = "Cannot read htpasswd file {Path}; keeping the previous version: {Reason}")]
        public static partial void ReadFailed(ILogger logger, string path, string reason);
    }
}
