namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>The paths under a machine folder (such as <c>/run</c>), to show that a test left it as it found it.</summary>
public static class DirectoryListing
{
    /// <summary>
    /// Every path under <paramref name="root"/> down to <paramref name="depth"/> levels (its own entries are level 1).
    /// Links are listed, not followed (<c>/run/shm</c> leads to <c>/dev/shm</c>, which other programs change); a folder
    /// that cannot be read or vanishes meanwhile is listed without its content.
    /// </summary>
    public static IReadOnlySet<string> Take(string root, int depth)
    {
        var paths = new SortedSet<string>(StringComparer.Ordinal);
        Add(new DirectoryInfo(root), depth, paths);
        return paths;
    }

    /// <summary>What <paramref name="after"/> has that <paramref name="before"/> had not, one path a line (empty when nothing).</summary>
    public static string Added(IReadOnlySet<string> before, IReadOnlySet<string> after) =>
        string.Join('\n', after.Where(p => !before.Contains(p)));

    private static void Add(DirectoryInfo folder, int depth, SortedSet<string> paths)
    {
        if (depth <= 0)
        {
            return;
        }

        IEnumerable<FileSystemInfo> entries;
        try
        {
            entries = [.. folder.EnumerateFileSystemInfos()];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }

        foreach (var entry in entries)
        {
            paths.Add(entry.FullName);
            if (entry is DirectoryInfo sub && entry.LinkTarget is null)
            {
                Add(sub, depth - 1, paths);
            }
        }
    }
}
