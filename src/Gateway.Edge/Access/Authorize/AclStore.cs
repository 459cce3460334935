using Gateway.Edge.Access;
using Gateway.Edge.Access.Admit;
using Gateway.Edge.Access.Identify.Htpasswd;
using Gateway.Edge.Access.Identify.Passwords;
using Gateway.Edge.Files;
using Gateway.Registry.Acl;
using Gateway.Registry.Configuration;
using Gateway.Registry.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Access.Authorize;

/// <summary>
/// The current rules of <c>Gateway:Auth:AclFile</c>. Loaded at start-up (an invalid file stops the process with the
/// lines at fault); <see cref="AclReloadService"/> swaps in new versions as the file changes and keeps the last good
/// rules when a change is invalid. Without a file, <see cref="AclEvaluator.AllowAll"/>.
/// </summary>
public sealed partial class AclStore
{
    private readonly ILogger<AclStore> _logger;
    private readonly WatchedFile? _file;
    private volatile AclEvaluator _current;

    /// <summary>Loads the file; throws <see cref="ConfigurationException"/> naming the key and the lines when it cannot be used.</summary>
    public AclStore(IOptions<AuthOptions> options, ILogger<AclStore> logger)
    {
        _logger = logger;
        var configured = options.Value.AclFile;
        if (string.IsNullOrWhiteSpace(configured))
        {
            _current = AclEvaluator.AllowAll;
            return;
        }

        _file = new WatchedFile(configured);
        var result = AclFile.Parse(_file.Path, _file.ReadInitial());
        if (!result.IsValid)
        {
            throw new ConfigurationException(
                $"{AuthOptions.SectionName}:AclFile '{_file.Path}' cannot be used:{Environment.NewLine}  " +
                string.Join(Environment.NewLine + "  ", result.Problems.Select(p => p.Message)));
        }

        LogWarnings(result);
        _current = new AclEvaluator(result.Rules);
        Log.Loaded(_logger, _file.Path, result.Rules.Count);
    }

    /// <summary>The file's full path; null when no ACL is configured.</summary>
    public string? Path => _file?.Path;

    /// <summary>The file, for <see cref="FileReloader"/>; null when no ACL is configured.</summary>
    public WatchedFile? Watched => _file;

    /// <summary>The rules in force.</summary>
    public AclEvaluator Current => _current;

    /// <summary>Reloads the file when it changed; returns true when a new version was taken.</summary>
    public bool ReloadIfChanged()
    {
        if (_file is null)
        {
            return false;
        }

        if (!_file.TryReadChange(out var content, out var error))
        {
            if (error is not null)
            {
                Log.ReadFailed(_logger, _file.Path, error);
            }

            return false;
        }

        var result = AclFile.Parse(_file.Path, content);
        if (!result.IsValid)
        {
            foreach (var problem in result.Problems)
            {
                Log.InvalidReload(_logger, problem.Message);
            }

            return false;
        }

        LogWarnings(result);
        _current = new AclEvaluator(result.Rules);
        Log.Reloaded(_logger, _file.Path, result.Rules.Count);
        return true;
    }

    private void LogWarnings(AclParseResult result)
    {
        foreach (var warning in result.Warnings)
        {
            Log.Warning(_logger, warning.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.AclLoaded, Level = LogLevel.Information, Message = "Loaded ACL file {Path}: {Count} rules")]
        public static partial void Loaded(ILogger logger, string path, int count);

        [LoggerMessage(EventId = EventIds.AclReloaded, Level = LogLevel.Information, Message = "Reloaded ACL file {Path}: {Count} rules")]
        public static partial void Reloaded(ILogger logger, string path, int count);

        [LoggerMessage(EventId = EventIds.AclRejected, Level = LogLevel.Error, Message = "ACL file changed but cannot be used; keeping the previous rules: {Problem}")]
        public static partial void InvalidReload(ILogger logger, string problem);

        [LoggerMessage(EventId = EventIds.AclUnreadable, Level = LogLevel.Warning, Message = "Cannot read ACL file {Path}; keeping the previous rules: {Reason}")]
        public static partial void ReadFailed(ILogger logger, string path, string reason);

        [LoggerMessage(EventId = EventIds.AclWarning, Level = LogLevel.Warning, Message = "ACL file: {Warning}")]
        public static partial void Warning(ILogger logger, string warning);
    }
}
