using Gateway.Edge.Caching;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Edge.Tests.Caching;

public sealed class EdgeAnswerCacheTests
{
    private static readonly KeyValuePair<string, StringValues>[] Headers =
    [
        new("Content-Type", "application/vnd.docker.distribution.manifest.v2+json"),
        new("Docker-Content-Digest", "sha256:" + new string('a', 64)),
    ];

    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void TryGet_SameDigestOtherRepository_Misses()
    {
        var cache = Create();
        var digest = Digest(1);
        cache.TryAdd(Key("team/a", digest), Headers, [1, 2, 3], cache.Generation);

        Assert.NotNull(cache.TryGet(Key("team/a", digest), needsBody: true));
        Assert.Null(cache.TryGet(Key("team/b", digest), needsBody: true));
        Assert.Null(cache.TryGet(new AnswerKey(new ContentAddress(CachedResource.Blob, "team/a", digest), string.Empty), needsBody: false));
    }

    [Fact]
    public void TryGet_AfterTtl_Misses()
    {
        var cache = Create(ttl: TimeSpan.FromMinutes(5));
        var key = Key("team/a", Digest(1));
        cache.TryAdd(key, Headers, [1], cache.Generation);

        _time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromMilliseconds(1));
        Assert.NotNull(cache.TryGet(key, needsBody: true));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Null(cache.TryGet(key, needsBody: true));
        Assert.Equal(0, cache.Count);
        Assert.Equal(0, cache.Bytes);
    }

    [Fact]
    public void TryAdd_ManyDigests_StaysUnderMaxBytesAndKeepsTheRecent()
    {
        const long Max = 1024 * 1024;
        var cache = Create(maxBytes: Max);
        var body = new byte[4096];
        AnswerKey? first = null;
        for (var i = 0; i < 10_000; i++)
        {
            var key = Key("team/a", Digest(i));
            first ??= key;
            Assert.True(cache.TryAdd(key, Headers, body, cache.Generation));
            Assert.InRange(cache.Bytes, 0, Max);
        }

        Assert.InRange(cache.Count, 100, 256); // about 1 MiB / (4 KiB + headers and keys)
        Assert.Null(cache.TryGet(first!.Value, needsBody: true));
        Assert.NotNull(cache.TryGet(Key("team/a", Digest(9_999)), needsBody: true));
    }

    [Fact]
    public void TryAdd_OverEntryLimit_NotKept()
    {
        var cache = Create(maxBytes: 1024 * 1024);
        Assert.False(cache.TryAdd(Key("team/a", Digest(1)), Headers, new byte[(1024 * 1024 / 8) + 1], cache.Generation));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void TryAdd_LeastRecentlyUsed_GoesFirst()
    {
        var cache = Create(maxBytes: 1024 * 1024);
        var body = new byte[100 * 1024];
        var kept = Key("team/a", Digest(0));
        cache.TryAdd(kept, Headers, body, cache.Generation);
        for (var i = 1; i < 30; i++)
        {
            Assert.NotNull(cache.TryGet(kept, needsBody: true)); // used before each new entry: never the oldest
            cache.TryAdd(Key("team/a", Digest(i)), Headers, body, cache.Generation);
        }

        Assert.NotNull(cache.TryGet(kept, needsBody: true));
        Assert.Null(cache.TryGet(Key("team/a", Digest(1)), needsBody: true));
    }

    [Fact]
    public void Invalidate_DropsEveryAcceptVariantOfThatAddressOnly()
    {
        var cache = Create();
        var digest = Digest(1);
        cache.TryAdd(Key("team/a", digest, "application/vnd.oci.image.manifest.v1+json"), Headers, [1], cache.Generation);
        cache.TryAdd(Key("team/a", digest, "application/vnd.docker.distribution.manifest.v2+json"), Headers, [1], cache.Generation);
        cache.TryAdd(Key("team/b", digest), Headers, [1], cache.Generation);

        Assert.Equal(2, cache.Invalidate(new ContentAddress(CachedResource.Manifest, "team/a", digest)));

        Assert.Equal(1, cache.Count);
        Assert.NotNull(cache.TryGet(Key("team/b", digest), needsBody: true));
    }

    [Fact]
    public void TryAdd_FetchedWhileInvalidating_NotKept()
    {
        var cache = Create();
        var key = Key("team/a", Digest(1));
        var generation = cache.Generation; // a fill starts, then a DELETE passes before it ends

        cache.Invalidate(key.Address);

        Assert.False(cache.TryAdd(key, Headers, [1], generation));
        Assert.Null(cache.TryGet(key, needsBody: false));
    }

    [Fact]
    public void TryAdd_HeadAnswer_DoesNotReplaceOneWithBody()
    {
        var cache = Create();
        var key = Key("team/a", Digest(1));
        cache.TryAdd(key, Headers, [1, 2], cache.Generation);

        Assert.False(cache.TryAdd(key, Headers, null, cache.Generation));
        Assert.Equal([1, 2], cache.TryGet(key, needsBody: true)!.Body);
    }

    [Fact]
    public void TryGet_HeadOnlyAnswer_DoesNotServeGet()
    {
        var cache = Create();
        var key = Key("team/a", Digest(1));
        cache.TryAdd(key, Headers, null, cache.Generation);

        Assert.Null(cache.TryGet(key, needsBody: true));
        Assert.NotNull(cache.TryGet(key, needsBody: false));
    }

    [Fact]
    public void Clear_DropsEverythingAndStopsFillsInFlight()
    {
        var cache = Create();
        var generation = cache.Generation;
        cache.TryAdd(Key("team/a", Digest(1)), Headers, [1], generation);

        cache.Clear();

        Assert.Equal(0, cache.Count);
        Assert.Equal(0, cache.Bytes);
        Assert.False(cache.TryAdd(Key("team/a", Digest(2)), Headers, [1], generation));
    }

    [Theory]
    [InlineData("m\nteam/a\nsha256:abc", true)]
    [InlineData("b\nteam/a\nsha256:abc", true)]
    [InlineData("x\nteam/a\nsha256:abc", false)]
    [InlineData("m\n\nsha256:abc", false)]
    [InlineData("m\nteam/a", false)]
    [InlineData("", false)]
    public void TryParseWire_Text_ReadsOnlyWhatToWireWrites(string text, bool expected)
    {
        Assert.Equal(expected, ContentAddress.TryParseWire(text, out var address));
        if (expected)
        {
            Assert.Equal(text, address.ToWire());
        }
    }

    private static string Digest(int i) => "sha256:" + i.ToString("x64", System.Globalization.CultureInfo.InvariantCulture);

    private static AnswerKey Key(string repository, string digest, string accept = "") =>
        new(new ContentAddress(CachedResource.Manifest, repository, digest), accept);

    private EdgeAnswerCache Create(long maxBytes = 64L * 1024 * 1024, TimeSpan? ttl = null) =>
        new(Options.Create(new CacheOptions { Enabled = true, MaxBytes = maxBytes, Ttl = ttl ?? TimeSpan.FromMinutes(5) }), _time);
}
