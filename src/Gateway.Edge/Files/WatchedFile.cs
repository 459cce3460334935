using System.Security.Cryptography;

namespace Gateway.Edge.Files;

/// <summary>
/// A configuration file read at start and again when it changes (the htpasswd file, the ACL file). A change is taken
/// only once the file has held still (same time and length) for one poll, so a file rewritten in place, as
/// <c>htpasswd</c> does, is not read half-written; a change of time without a change of content is ignored.
/// </summary>
public sealed class WatchedFile
{
    private (DateTime WriteTime, long Length) _stamp;
    private (DateTime WriteTime, long Length)? _changing;
    private byte[] _contentHash = [];

    /// <summary>Opens the file; throws <see cref="FileNotFoundException"/> when it does not exist.</summary>
    public WatchedFile(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        _stamp = ReadStamp(Path);
    }

    /// <summary>The file's full path.</summary>
    public string Path { get; }

    /// <summary>Reads the whole file now (at start).</summary>
    public string ReadInitial()
    {
        var content = File.ReadAllText(Path);
        _contentHash = Hash(content);
        return content;
    }

    /// <summary>
    /// Polls the file: true with its new content when it changed and held still; false when there is nothing new, or
    /// when it could not be read (then <paramref name="error"/> says why).
    /// </summary>
    public bool TryReadChange(out string content, out string? error)
    {
        content = string.Empty;
        error = null;
        try
        {
            var stamp = ReadStamp(Path);
            if (stamp == _stamp)
            {
                _changing = null;
                return false;
            }

            if (_changing != stamp)
            {
                _changing = stamp;
                return false;
            }

            content = File.ReadAllText(Path);
            _stamp = stamp;
            _changing = null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error = ex.Message;
            return false;
        }

        var hash = Hash(content);
        if (hash.AsSpan().SequenceEqual(_contentHash))
        {
            return false;
        }

        _contentHash = hash;
        return true;
    }

    private static byte[] Hash(string content) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(content));

    private static (DateTime, long) ReadStamp(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"file '{path}' does not exist");
        }

        return (info.LastWriteTimeUtc, info.Length);
    }
}
