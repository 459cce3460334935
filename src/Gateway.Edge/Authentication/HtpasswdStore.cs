using System.Security.Cryptography;
using Gateway.Registry.Credentials;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Authentication;

/// <summary>
/// The current version of the htpasswd file. Loaded at start-up (an invalid file stops the process with
/// the lines at fault); <see cref="HtpasswdReloadService"/> swaps in new versions as the file changes,
/// and keeps the last good version when a change is invalid.
/// </summary>
public sealed partial class HtpasswdStore
{
    private readonly ILogger<HtpasswdStore> _logger;
    private volatile HtpasswdSnapshot _current;
    private (DateTime WriteTime, long Length) _stamp;
    private (DateTime WriteTime, long Length)? _changing;
    private byte[] _contentHash;

    /// <summary>Loads the file; throws <see cref="InvalidOperationException"/> naming the key and the lines when it cannot be used.</summary>
    public HtpasswdStore(IOptions<AuthOptions> options, ILogger<HtpasswdStore> logger)
    {
        _logger = logger;
        Path = System.IO.Path.GetFullPath(options.Value.HtpasswdFile ?? throw new InvalidOperationException($"{AuthOptions.SectionName}:HtpasswdFile is required."));
        _stamp = ReadStamp();
        var content = File.ReadAllText(Path);
        var result = HtpasswdParser.Parse(Path, content);
        if (!result.IsValid)
        {
            throw new InvalidOperationException(
                $"{AuthOptions.SectionName}:HtpasswdFile '{Path}' cannot be used:{Environment.NewLine}  " +
                string.Join(Environment.NewLine + "  ", result.Problems.Select(p => p.Message)));
        }

        _current = result.Snapshot!;
        _contentHash = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(content));
        Log.Loaded(_logger, Path, _current.Entries.Count);
    }

    /// <summary>The file's full path.</summary>
    public string Path { get; }

    /// <summary>The current entries.</summary>
    public HtpasswdSnapshot Current => _current;

    /// <summary>Reloads the file when it changed; returns true when a new version was taken.</summary>
    public bool ReloadIfChanged()
    {
        (DateTime, long) stamp;
        string content;
        try
        {
            stamp = ReadStamp();
            if (stamp == _stamp)
            {
                _changing = null;
                return false;
            }

            // htpasswd rewrites the file in place: take a change only once it has held still for one interval,
            // so a half-written file is not read.
            if (_changing != stamp)
            {
                _changing = stamp;
                return false;
            }

            content = File.ReadAllText(Path);
        }
        catch (IOException ex)
        {
            Log.ReadFailed(_logger, Path, ex.Message);
            return false;
        }
        catch (UnauthorizedAccessException ex)
        {
            Log.ReadFailed(_logger, Path, ex.Message);
            return false;
        }

        _stamp = stamp;
        _changing = null;
        var hash = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(content));
        if (hash.AsSpan().SequenceEqual(_contentHash))
        {
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

        _contentHash = hash;
        _current = result.Snapshot!;
        Log.Reloaded(_logger, Path, _current.Entries.Count);
        return true;
    }

    private (DateTime, long) ReadStamp()
    {
        var info = new FileInfo(Path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"htpasswd file '{Path}' does not exist");
        }

        return (info.LastWriteTimeUtc, info.Length);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Loaded htpasswd file {Path}: {Count} users")]
        public static partial void Loaded(ILogger logger, string path, int count);

        [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Reloaded htpasswd file {Path}: {Count} users")]
        public static partial void Reloaded(ILogger logger, string path, int count);

        [LoggerMessage(EventId = 1103, Level = LogLevel.Error, Message = "htpasswd file changed but cannot be used; keeping the previous version: {Problem}")]
        public static partial void InvalidReload(ILogger logger, string problem);

        [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Cannot read htpasswd file {Path}; keeping the previous version: {Reason}")]
        public static partial void ReadFailed(ILogger logger, string path, string reason);
    }
}
