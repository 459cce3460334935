using System.Globalization;
using System.Runtime.InteropServices;

namespace Gateway.Edge.Tests.Support;

/// <summary>
/// A folder laid out as the kubelet lays out a Secret or ConfigMap volume (its AtomicWriter): the files of each
/// version in a timestamped folder <c>..2026_01_02_03_04_05.000000001</c>, a link <c>..data</c> to the current one,
/// and one link per key, <c>htpasswd -> ..data/htpasswd</c>. <see cref="Swap"/> writes a new version the way the
/// kubelet does: a new timestamped folder, a link <c>..data_tmp</c> to it, rename(2) of that link over
/// <c>..data</c> (the atomic step), then the old folder removed.
/// </summary>
public sealed class KubeletVolume : IDisposable
{
    private int _version;

    private KubeletVolume(string folder) => Folder = folder;

    /// <summary>The volume's mount folder.</summary>
    public string Folder { get; }

    /// <summary>A new volume in a temporary folder with the given files (name → content).</summary>
    public static KubeletVolume Create(IReadOnlyDictionary<string, string> files)
    {
        var volume = new KubeletVolume(Directory.CreateTempSubdirectory("gw-kubelet-").FullName);
        var first = volume.WriteVersion(files);
        File.CreateSymbolicLink(Path.Combine(volume.Folder, "..data"), first);
        foreach (var name in files.Keys)
        {
            File.CreateSymbolicLink(Path.Combine(volume.Folder, name), Path.Combine("..data", name));
        }

        return volume;
    }

    /// <summary>The path of a key's file (the per-key link).</summary>
    public string PathOf(string name) => Path.Combine(Folder, name);

    /// <summary>Publishes a new version of every file, atomically, as the kubelet does.</summary>
    public void Swap(IReadOnlyDictionary<string, string> files)
    {
        var data = Path.Combine(Folder, "..data");
        var old = Path.Combine(Folder, File.ResolveLinkTarget(data, returnFinalTarget: false)!.FullName);
        var next = WriteVersion(files);
        var temporary = Path.Combine(Folder, "..data_tmp");
        File.CreateSymbolicLink(temporary, next);
        if (Rename(temporary, data) != 0)
        {
            throw new IOException($"rename {temporary} -> {data} failed: errno {Marshal.GetLastPInvokeError()}");
        }

        Directory.Delete(old, recursive: true);
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);

    /// <summary>Writes a timestamped version folder; returns its name (relative, as the kubelet's links are).</summary>
    private string WriteVersion(IReadOnlyDictionary<string, string> files)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"..2026_01_02_03_04_05.{++_version:D9}");
        var folder = Directory.CreateDirectory(Path.Combine(Folder, name)).FullName;
        foreach (var (file, content) in files)
        {
            File.WriteAllText(Path.Combine(folder, file), content);
        }

        return name;
    }

    // rename(2) replaces the destination link atomically, as Go's os.Rename in the kubelet; File.Move would look at
    // what the link points to (a folder).
#pragma warning disable SYSLIB1054 // plain DllImport: no unsafe code needed
    [DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static extern int Rename([MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);
#pragma warning restore SYSLIB1054
}
