using System.Security.Cryptography;

namespace Gateway.Edge.Files;

/// <summary>
/// A configuration file read at start and again when it changes (the htpasswd file, the ACL file). Changes are found
/// by comparing the content's SHA-256, never the file's time or length: on Linux <see cref="FileInfo"/> of a symlink
/// describes the link itself, and a Kubernetes Secret or ConfigMap file is one (<c>htpasswd -> ..data/htpasswd</c>,
/// where the kubelet swaps the <c>..data</c> link atomically), so the link's time and length never change. Reading
/// the file follows every link to the current content. A new content is taken only once two reads in a row agree, so
/// a file rewritten in place, as <c>htpasswd</c> does, is not taken half-written (<see cref="ChangePending"/> says a
/// read found something new that has not held still yet; <see cref="FileReloader"/> reads again shortly).
/// </summary>
public sealed class WatchedFile
{
    private byte[] _contentHash = [];
    private byte[]? _pendingHash;
    private string? _lastError;

    /// <summary>Opens the file; throws <see cref="FileNotFoundException"/> when it does not exist.</summary>
    public WatchedFile(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        if (!File.Exists(Path))
        {
            throw new FileNotFoundException($"file '{Path}' does not exist");
        }
    }

    /// <summary>The file's full path (as configured: a link is not resolved, so a swapped link target is followed).</summary>
    public string Path { get; }

    /// <summary>True when the last read found a new content that has not yet been read twice the same.</summary>
    public bool ChangePending => _pendingHash is not null;

    /// <summary>Reads the whole file now (at start).</summary>
    public string ReadInitial()
    {
        var content = File.ReadAllText(Path);
        _contentHash = Hash(content);
        return content;
    }

    /// <summary>
    /// Reads the file: true with its new content when it changed and the same new content was read twice in a row;
    /// false when there is nothing new (yet), or when it could not be read. <paramref name="error"/> then says why,
    /// once per run of failures (a file that stays unreadable is not reported at every check).
    /// </summary>
    public bool TryReadChange(out string content, out string? error)
    {
        content = string.Empty;
        error = null;
        try
        {
            content = File.ReadAllText(Path);
            _lastError = null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _pendingHash = null;
            if (_lastError != ex.Message)
            {
                _lastError = ex.Message;
                error = ex.Message;
            }

            return false;
        }

        var hash = Hash(content);
        if (hash.AsSpan().SequenceEqual(_contentHash))
        {
            _pendingHash = null;
            return false;
        }

        if (_pendingHash is null || !hash.AsSpan().SequenceEqual(_pendingHash))
        {
            _pendingHash = hash; // new, or still changing: take it when the next read agrees
            return false;
        }

        _contentHash = hash;
        _pendingHash = null;
        return true;
    }

    private static byte[] Hash(string content) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(content));
}
