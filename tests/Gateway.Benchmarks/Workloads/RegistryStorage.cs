namespace Gateway.Benchmarks.Workloads;

/// <summary>
/// Cleaning up after a transfer workload: its repository and blobs are deleted from the registry's filesystem storage
/// (no cache is configured), and its local files, so a run of many large transfers does not fill the disk.
/// </summary>
internal static class RegistryStorage
{
    /// <summary>Deletes a repository (its links and unfinished uploads) and the given blobs from the registry's storage.</summary>
    public static void Remove(string storage, string repository, IEnumerable<string> digests)
    {
        var root = Path.Combine(storage, "docker", "registry", "v2");
        DeleteQuietly(Path.Combine(root, "repositories", repository));
        foreach (var digest in digests)
        {
            var hex = digest["sha256:".Length..];
            DeleteQuietly(Path.Combine(root, "blobs", "sha256", hex[..2], hex));
        }
    }

    /// <summary>Deletes a folder and what it holds, if it is there; never throws.</summary>
    public static void DeleteQuietly(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
