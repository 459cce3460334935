using System.Security.Cryptography;
using Gateway.Edge.Authentication;
using Gateway.Registry.Acl;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Authorization;

/// <summary>
/// The current rules of <c>Gateway:Auth:AclFile</c>. Loaded at start-up (an invalid file stops the process with the
/// lines at fault); <see cref="AclReloadService"/> swaps in new versions as the file changes and keeps the last good
/// rules when a change is invalid. Without a file, <see cref="AclEvaluator.AllowAll"/>.
/// </summary>
public sealed partial class AclStore
{
    private readonly ILogger<AclStore> _logger;
    private volatile AclEvaluator _current;
    private (DateTime WriteTime, long Length) _stamp;
    private (DateTime WriteTime, long Length)? _changing;
    private byte[] _contentHash = [];

    /// <summary>Loads the file; throws <see cref="InvalidOperationException"/> naming the key and the lines when it cannot be used.</summary>
    public AclStore(IOptions<AuthOptions> options, ILogger<AclStore> logger)
    {
        _logger = logger;
        var configured = options.Value.AclFile;
        if (string.IsNullOrWhiteSpace(configured))
        {
            _current = AclEvaluator.AllowAll;
            return;
        }

        Path = System.IO.Path.GetFullPath(configured);
        _stamp = ReadStamp(Path);
        var content = File.ReadAllText(Path);
        var result = AclFile.Parse(Path, content);
        if (!result.IsValid)
        {
            throw new InvalidOperationException(
                $"{AuthOptions.SectionName}:AclFile '{Path}' cannot be used:{Environment.NewLine}  " +
                string.Join(Environment.NewLine + "  ", result.Problems.Select(p => p.Message)));
        }

        foreach (var warning in result.Warnings)
        {
            Log.Warning(_logger, warning.Message);
        }

        _current = new AclEvaluator(result.Rules);
        _contentHash = Hash(content);
        Log.Loaded(_logger, Path, result.Rules.Count);
    }

    /// <summary>The file's full path; null when no ACL is configured.</summary>
    public string? Path { get; }

    /// <summary>The rules in force.</summary>
    public AclEvaluator Current => _current;

    /// <summary>Reloads the file when it changed; returns true when a new version was taken.</summary>
    public bool ReloadIfChanged()
    {
        if (Path is null)
        {
            return false;
        }

        (DateTime, long) stamp;
        string content;
        try
        {
            stamp = ReadStamp(Path);
            if (stamp == _stamp)
            {
                _changing = null;
                return false;
            }

            // Take a change only once it has held still for one interval, so a half-written file is not read.
            if (_changing != stamp)
            {
                _changing = stamp;
                return false;
            }

            content = File.ReadAllText(Path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.ReadFailed(_logger, Path, ex.Message);
            return false;
        }

        _stamp = stamp;
        _changing = null;
        var hash = Hash(content);
        if (hash.AsSpan().SequenceEqual(_contentHash))
        {
            return false;
        }

        var result = AclFile.Parse(Path, content);
        if (!result.IsValid)
        {
            foreach (var problem in result.Problems)
            {
                Log.InvalidReload(_logger, problem.Message);
            }

            return false;
        }

        foreach (var warning in result.Warnings)
        {
            Log.Warning(_logger, warning.Message);
        }

        _contentHash = hash;
        _current = new AclEvaluator(result.Rules);
        Log.Reloaded(_logger, Path, result.Rules.Count);
        return true;
    }

    private static byte[] Hash(string content) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(content));

    private static (DateTime, long) ReadStamp(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"ACL file '{path}' does not exist");
        }

        return (info.LastWriteTimeUtc, info.Length);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1111, Level = LogLevel.Information, Message = "Loaded ACL file {Path}: {Count} rules")]
        public static partial void Loaded(ILogger logger, string path, int count);

        [LoggerMessage(EventId = 1112, Level = LogLevel.Information, Message = "Reloaded ACL file {Path}: {Count} rules")]
        public static partial void Reloaded(ILogger logger, string path, int count);

        [LoggerMessage(EventId = 1113, Level = LogLevel.Error, Message = "ACL file changed but cannot be used; keeping the previous rules: {Problem}")]
        public static partial void InvalidReload(ILogger logger, string problem);

        [LoggerMessage(EventId = 1114, Level = LogLevel.Warning, Message = "Cannot read ACL file {Path}; keeping the previous rules: {Reason}")]
        public static partial void ReadFailed(ILogger logger, string path, string reason);

        [LoggerMessage(EventId = 1115, Level = LogLevel.Warning, Message = "ACL file: {Warning}")]
        public static partial void Warning(ILogger logger, string warning);
    }
}
