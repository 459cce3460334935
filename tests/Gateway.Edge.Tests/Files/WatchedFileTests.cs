using Gateway.Edge.Files;
using Gateway.Edge.Tests.Support;

namespace Gateway.Edge.Tests.Files;

/// <summary>
/// <see cref="WatchedFile"/>: changes found by content, through links, in the layout of a Kubernetes Secret volume, and
/// a file rewritten in place taken only once it holds still.
/// </summary>
public sealed class WatchedFileTests
{
    private static Dictionary<string, string> Htpasswd(string content) => new() { ["htpasswd"] = content };

    [Fact]
    public void FileInfo_OfAKubeletKeyLink_DescribesTheLinkNotTheContent()
    {
        // Why the old stamp (time, length) never changed on Kubernetes: FileInfo of the key's link is the link's own.
        using var volume = KubeletVolume.Create(Htpasswd("alice:hash-1\nbob:hash-2\n"));
        var before = new FileInfo(volume.PathOf("htpasswd"));
        var stamp = (before.LastWriteTimeUtc, before.Length);

        volume.Swap(Htpasswd("alice:hash-1\n"));

        var after = new FileInfo(volume.PathOf("htpasswd"));
        Assert.Equal("..data/htpasswd".Length, after.Length);
        Assert.Equal(stamp, (after.LastWriteTimeUtc, after.Length));
        Assert.Equal("alice:hash-1\n", File.ReadAllText(volume.PathOf("htpasswd")));
    }

    [Fact]
    public void TryReadChange_KubeletDataSwap_TakesTheNewContentOnceTwoReadsAgree()
    {
        using var volume = KubeletVolume.Create(Htpasswd("alice:hash-1\nbob:hash-2\n"));
        var file = new WatchedFile(volume.PathOf("htpasswd"));
        Assert.Equal("alice:hash-1\nbob:hash-2\n", file.ReadInitial());
        Assert.False(file.TryReadChange(out _, out _));

        volume.Swap(Htpasswd("alice:hash-1\n"));

        Assert.False(file.TryReadChange(out _, out var error));
        Assert.Null(error);
        Assert.True(file.ChangePending);
        Assert.True(file.TryReadChange(out var content, out _));
        Assert.Equal("alice:hash-1\n", content);
        Assert.False(file.ChangePending);
        Assert.False(file.TryReadChange(out _, out _));
    }

    [Fact]
    public void TryReadChange_SameContentWrittenAgain_ReportsNoChange()
    {
        using var volume = KubeletVolume.Create(Htpasswd("alice:hash-1\n"));
        var file = new WatchedFile(volume.PathOf("htpasswd"));
        file.ReadInitial();

        volume.Swap(Htpasswd("alice:hash-1\n"));

        Assert.False(file.TryReadChange(out _, out _));
        Assert.False(file.ChangePending);
    }

    [Fact]
    public void TryReadChange_FileStillBeingWritten_WaitsUntilTwoReadsAgree()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("gw-watched-").FullName, "htpasswd");
        try
        {
            File.WriteAllText(path, "alice:hash-1\n");
            var file = new WatchedFile(path);
            file.ReadInitial();

            File.WriteAllText(path, "alice:hash-1\nbo"); // htpasswd rewrites in place: a read may see half of it
            Assert.False(file.TryReadChange(out _, out _));
            File.WriteAllText(path, "alice:hash-1\nbob:hash-2\n");
            Assert.False(file.TryReadChange(out _, out _)); // differs from the half read: not taken yet
            Assert.True(file.TryReadChange(out var content, out _));
            Assert.Equal("alice:hash-1\nbob:hash-2\n", content);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void TryReadChange_FileGone_ReportsTheErrorOncePerRunOfFailures()
    {
        var folder = Directory.CreateTempSubdirectory("gw-watched-").FullName;
        var path = Path.Combine(folder, "acl.yml");
        try
        {
            File.WriteAllText(path, "acl: []\n");
            var file = new WatchedFile(path);
            file.ReadInitial();
            File.Delete(path);

            Assert.False(file.TryReadChange(out _, out var first));
            Assert.False(file.TryReadChange(out _, out var second));
            Assert.NotNull(first);
            Assert.Null(second);

            File.WriteAllText(path, "acl: []\n");
            Assert.False(file.TryReadChange(out _, out var back));
            Assert.Null(back);
            File.Delete(path);
            Assert.False(file.TryReadChange(out _, out var again));
            Assert.NotNull(again);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
