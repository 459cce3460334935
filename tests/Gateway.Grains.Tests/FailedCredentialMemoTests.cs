using System.Security.Cryptography;

namespace Gateway.Grains.Tests;

public sealed class FailedCredentialMemoTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(15);
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Contains_RememberedFingerprint_TrueForItsAddressWithinTheWindowOnly()
    {
        var memo = new FailedCredentialMemo();
        var wrong = RandomNumberGenerator.GetBytes(32);
        memo.Remember("198.51.100.1", wrong, Start, Window);

        Assert.True(memo.Contains("198.51.100.1", wrong, Start + Window - TimeSpan.FromTicks(1), Window));
        Assert.False(memo.Contains("198.51.100.2", wrong, Start, Window));
        Assert.False(memo.Contains("198.51.100.1", RandomNumberGenerator.GetBytes(32), Start, Window));
        Assert.False(memo.Contains("198.51.100.1", wrong, Start + Window, Window));
        Assert.Equal(0, memo.Count); // expired entries are dropped when looked at
    }

    [Fact]
    public void Remember_MoreThanMaxPerAddress_OldestOfThatAddressForgotten()
    {
        var memo = new FailedCredentialMemo();
        var fingerprints = Enumerable.Range(0, FailedCredentialMemo.MaxPerAddress + 1).Select(_ => RandomNumberGenerator.GetBytes(32)).ToArray();
        for (var i = 0; i < fingerprints.Length; i++)
        {
            memo.Remember("198.51.100.1", fingerprints[i], Start + TimeSpan.FromSeconds(i), Window);
        }

        var now = Start + TimeSpan.FromSeconds(fingerprints.Length);
        Assert.False(memo.Contains("198.51.100.1", fingerprints[0], now, Window));
        Assert.All(fingerprints.Skip(1), f => Assert.True(memo.Contains("198.51.100.1", f, now, Window)));
        Assert.Equal(FailedCredentialMemo.MaxPerAddress, memo.Count);
    }

    [Fact]
    public void Remember_MoreThanMaxTotalOverManyAddresses_BoundedOldestForgotten()
    {
        var memo = new FailedCredentialMemo();
        var first = RandomNumberGenerator.GetBytes(32);
        memo.Remember("10.0.0.0", first, Start, Window);
        for (var i = 1; i <= FailedCredentialMemo.MaxTotal; i++)
        {
            memo.Remember($"10.0.{i / 256}.{i % 256}", RandomNumberGenerator.GetBytes(32), Start + TimeSpan.FromMilliseconds(i), Window);
        }

        Assert.Equal(FailedCredentialMemo.MaxTotal, memo.Count);
        Assert.False(memo.Contains("10.0.0.0", first, Start + TimeSpan.FromSeconds(2), Window));
    }

    [Fact]
    public void Clear_OneAddressOrAll_ForgetsThem()
    {
        var memo = new FailedCredentialMemo();
        var wrong = RandomNumberGenerator.GetBytes(32);
        memo.Remember("198.51.100.1", wrong, Start, Window);
        memo.Remember("198.51.100.2", wrong, Start, Window);

        memo.Clear("198.51.100.1");
        Assert.False(memo.Contains("198.51.100.1", wrong, Start, Window));
        Assert.True(memo.Contains("198.51.100.2", wrong, Start, Window));
        memo.Clear(null);
        Assert.Equal(0, memo.Count);
    }
}
