namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>A fresh folder /tmp/gw-e2e-XXXXXXXX, deleted (best effort) on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    private TempDirectory(string path) => Path = path;

    public string Path { get; }

    public static TempDirectory Create()
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var path = System.IO.Path.Combine("/tmp", "gw-e2e-" + Guid.NewGuid().ToString("N")[..8]);
            if (!Directory.Exists(path))
            {
                Directory.CreateDirectory(path);
                return new TempDirectory(path);
            }
        }

        throw new IOException("Could not create a unique temp folder under /tmp.");
    }

    /// <summary>A path inside this folder (not created).</summary>
    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Creates (if needed) and returns a sub folder.</summary>
    public string CreateSubdirectory(params string[] parts) => Directory.CreateDirectory(Combine(parts)).FullName;

    public override string ToString() => Path;

    /// <summary>Unmounts anything left mounted under the folder, then deletes it. Never throws.</summary>
    public void Dispose()
    {
        try
        {
            if (!Mounts.UnmountAllUnder(Path))
            {
                return; // never delete recursively through a mount we could not remove
            }

            for (var attempt = 0; attempt < 3 && Directory.Exists(Path); attempt++)
            {
                try
                {
                    Directory.Delete(Path, recursive: true);
                }
                catch (IOException)
                {
                    Thread.Sleep(200);
                }
                catch (UnauthorizedAccessException)
                {
                    Thread.Sleep(200);
                }
            }
        }
#pragma warning disable CA1031 // dispose must never fail a test
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
