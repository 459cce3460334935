using System.Text;
using Gateway.Registry.Credentials;

namespace Gateway.Registry.Tests.Credentials;

public sealed class CredentialFingerprintTests
{
    private static readonly byte[] Key = Encoding.ASCII.GetBytes("cluster-secret-0123456789abcdef!");
    private static readonly string Hash = HtpasswdSamples.HashOf(HtpasswdSamples.AliceCost4);

    [Fact]
    public void Compute_SameInputs_Same32Bytes()
    {
        var first = Compute(Key, "alice", "pw", Hash);
        var second = Compute(Key.ToArray(), "alice", "pw", Hash);

        Assert.Equal(32, first.Length);
        Assert.Equal(first, second);
    }

    [Fact]
    public void Compute_OtherKey_Differs()
    {
        var otherKey = Key.ToArray();
        otherKey[^1] ^= 1;

        Assert.NotEqual(Compute(Key, "alice", "pw", Hash), Compute(otherKey, "alice", "pw", Hash));
    }

    [Fact]
    public void Compute_OtherUser_Differs()
    {
        Assert.NotEqual(Compute(Key, "alice", "pw", Hash), Compute(Key, "Alice", "pw", Hash));
    }

    [Fact]
    public void Compute_OtherPassword_Differs()
    {
        Assert.NotEqual(Compute(Key, "alice", "pw", Hash), Compute(Key, "alice", "pW", Hash));
        Assert.NotEqual(Compute(Key, "alice", "pw", Hash), Compute(Key, "alice", string.Empty, Hash));
    }

    [Fact]
    public void Compute_OtherStoredHash_Differs()
    {
        // The entry was recreated (same password, new salt): the cached fingerprint must no longer match.
        var recreated = HtpasswdSamples.HashOf(HtpasswdSamples.BobCost5);

        Assert.NotEqual(Compute(Key, "alice", "pw", Hash), Compute(Key, "alice", "pw", recreated));
    }

    [Theory]
    [InlineData("ab", "c", "a", "bc")]
    [InlineData("a", "", "", "a")]
    [InlineData("alice:", "pw", "alice", ":pw")]
    public void Compute_SameConcatenationSplitDifferently_Differs(string user1, string password1, string user2, string password2)
    {
        Assert.NotEqual(Compute(Key, user1, password1, Hash), Compute(Key, user2, password2, Hash));
    }

    [Fact]
    public void Compute_PasswordAndHashSplitDifferently_Differs()
    {
        Assert.NotEqual(Compute(Key, "alice", "pw$", "2y"), Compute(Key, "alice", "pw", "$2y"));
    }

    [Fact]
    public void Compute_NonAsciiUserAndPassword_DeterministicAndDistinct()
    {
        var first = Compute(Key, "jürgen", "pässwörd", Hash);

        Assert.Equal(first, Compute(Key, "jürgen", "pässwörd", Hash));
        Assert.NotEqual(first, Compute(Key, "jurgen", "pässwörd", Hash));
    }

    private static byte[] Compute(byte[] key, string user, string password, string hash) =>
        CredentialFingerprint.Compute(key, user, Secret.FromString(password), hash);
}
