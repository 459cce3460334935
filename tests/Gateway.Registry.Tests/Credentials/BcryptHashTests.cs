using System.Text;
using Gateway.Registry.Credentials;

namespace Gateway.Registry.Tests.Credentials;

public sealed class BcryptHashTests
{
    private static readonly string AliceHash = HtpasswdSamples.HashOf(HtpasswdSamples.AliceCost4);

    [Fact]
    public void Verify_RightPasswordForHtpasswdHash_True()
    {
        Assert.True(BcryptHash.Verify(Secret.FromString(HtpasswdSamples.AlicePassword), AliceHash));
    }

    [Theory]
    [InlineData("correct horsE")]
    [InlineData("correct horse ")]
    [InlineData("correct hors")]
    [InlineData("")]
    public void Verify_WrongPassword_False(string password)
    {
        Assert.False(BcryptHash.Verify(Secret.FromString(password), AliceHash));
    }

    [Theory]
    [InlineData("$2a$")]
    [InlineData("$2b$")]
    [InlineData("$2y$")]
    public void Verify_AnyBcryptPrefixOfTheSameHash_SameAnswer(string prefix)
    {
        // $2a$, $2b$ and $2y$ compute the same hash for UTF-8 passwords; only the label differs.
        var hash = prefix + AliceHash[4..];

        Assert.True(BcryptHash.Verify(Secret.FromString(HtpasswdSamples.AlicePassword), hash));
        Assert.False(BcryptHash.Verify(Secret.FromString("wrong"), hash));
    }

    // Each hash is checked with Alice's right password: a malformed hash must not accept even that.
    [Theory]
    [InlineData("x")]
    [InlineData("not-a-bcrypt-hash")]
    [InlineData("$2y$04$5LP67esldOZyINwk5m2B/.")]
    [InlineData("$2y$04$5LP67esldOZyINwk5m2B/.MdkpMNJDNI71y.dKYJZq/OI9ni9C8u")]
    [InlineData("$2y$99$5LP67esldOZyINwk5m2B/.MdkpMNJDNI71y.dKYJZq/OI9ni9C8ui")]
    [InlineData("$3y$04$5LP67esldOZyINwk5m2B/.MdkpMNJDNI71y.dKYJZq/OI9ni9C8ui")]
    [InlineData("$2y$04$5LP67esldOZyINwk5m2B!.MdkpMNJDNI71y.dKYJZq/OI9ni9C8ui")]
    [InlineData("$apr1$QR3B0VV6$EmTXE1MQpdtHQmKcwoI.x/")]
    [InlineData("{SHA}/TTyNeEGGsIdogUniWdAiSZZkd0=")]
    [InlineData("L0X./Jp8CrL5U")]
    public void Verify_MalformedHash_FalseWithoutThrowing(string hash)
    {
        var thrown = Record.Exception(() => Assert.False(BcryptHash.Verify(Secret.FromString(HtpasswdSamples.AlicePassword), hash)));

        Assert.Null(thrown);
    }

    // BCrypt.Net throws ArgumentException for "", ArgumentOutOfRangeException for "$2y$04$" and
    // FormatException for a non-numeric cost: Verify must refuse them before bcrypt sees them.
    [Theory]
    [InlineData("")]
    [InlineData("$2y$04$")]
    [InlineData("$2y$0x$5LP67esldOZyINwk5m2B/.MdkpMNJDNI71y.dKYJZq/OI9ni9C8ui")]
    public void Verify_MalformedHashBcryptNetRejectsWithOtherExceptions_FalseWithoutThrowing(string hash)
    {
        var thrown = Record.Exception(() => Assert.False(BcryptHash.Verify(Secret.FromString(HtpasswdSamples.AlicePassword), hash)));

        Assert.Null(thrown);
    }

    [Fact]
    public void Verify_PasswordLongerThan72Bytes_OnlyFirst72BytesCount()
    {
        // LongHash was made by the real htpasswd for a 91-byte password whose 72nd byte is 'Y'.
        var first72 = HtpasswdSamples.LongPassword[..72];

        Assert.True(BcryptHash.Verify(Secret.FromString(HtpasswdSamples.LongPassword), HtpasswdSamples.LongHash));
        Assert.True(BcryptHash.Verify(Secret.FromString(first72), HtpasswdSamples.LongHash));
        Assert.True(BcryptHash.Verify(Secret.FromString(first72 + "a different tail"), HtpasswdSamples.LongHash));
        Assert.False(BcryptHash.Verify(Secret.FromString(first72[..71]), HtpasswdSamples.LongHash));
        Assert.False(BcryptHash.Verify(Secret.FromString(first72[..71] + "Z-rest"), HtpasswdSamples.LongHash));
    }

    [HtpasswdFact]
    public void Verify_LongPasswordHashedByHtpasswdTool_First72BytesCount()
    {
        using var directory = new TempDirectory();
        var file = directory.File("htpasswd");
        var password = new string('€', 30); // 90 UTF-8 bytes; byte 72 ends the 24th '€'
        HtpasswdTool.Run("-bBc", "-C", "4", file, "long", password);
        var hash = HtpasswdSamples.HashOf(File.ReadAllText(file).Trim());

        Assert.True(BcryptHash.Verify(Secret.FromString(password), hash));
        Assert.True(BcryptHash.Verify(Secret.FromString(new string('€', 24) + "anything"), hash));
        Assert.False(BcryptHash.Verify(Secret.FromString(new string('€', 23) + "x"), hash));
        Assert.Equal(90, Encoding.UTF8.GetByteCount(password));
    }

    [Theory]
    [InlineData(HtpasswdSamples.AliceCost4, 4)]
    [InlineData(HtpasswdSamples.BobCost5, 5)]
    public void TryGetCost_HashFromHtpasswd_ItsCost(string line, int cost)
    {
        Assert.Equal(cost, BcryptHash.TryGetCost(HtpasswdSamples.HashOf(line)));
    }

    [Theory]
    [InlineData("$2a$")]
    [InlineData("$2b$")]
    [InlineData("$2y$")]
    public void TryGetCost_HashFromBcryptNet_TheCostItWasMadeWith(string prefix)
    {
        var hash = prefix + BCrypt.Net.BCrypt.HashPassword("pw", 6)[4..];

        Assert.Equal(6, BcryptHash.TryGetCost(hash));
    }

    [Theory]
    [InlineData("04", 4)]
    [InlineData("10", 10)]
    [InlineData("31", 31)]
    public void TryGetCost_CostInRange_Cost(string costField, int cost)
    {
        Assert.Equal(cost, BcryptHash.TryGetCost($"$2y${costField}${AliceHash[7..]}"));
    }

    [Theory]
    [InlineData("$2y$03$5LP67esldOZyINwk5m2B/.MdkpMNJDNI71y.dKYJZq/OI9ni9C8ui")]
    [InlineData("$2y$32$5LP67esldOZyINwk5m2B/.MdkpMNJDNI71y.dKYJZq/OI9ni9C8ui")]
    [InlineData("$2y$4$5LP67esldOZyINwk5m2B/.MdkpMNJDNI71y.dKYJZq/OI9ni9C8uia")]
    [InlineData("$2x$04$5LP67esldOZyINwk5m2B/.MdkpMNJDNI71y.dKYJZq/OI9ni9C8ui")]
    [InlineData("$2$04$5LP67esldOZyINwk5m2B/.MdkpMNJDNI71y.dKYJZq/OI9ni9C8uia")]
    [InlineData("$2y$04$5LP67esldOZyINwk5m2B/.MdkpMNJDNI71y.dKYJZq/OI9ni9C8u")]
    [InlineData("$2y$04$5LP67esldOZyINwk5m2B/.MdkpMNJDNI71y.dKYJZq/OI9ni9C8uiX")]
    [InlineData("$2y$04$5LP67esldOZyINwk5m2B/.MdkpMNJDNI71y.dKYJZq/OI9ni9C8u=")]
    [InlineData("$2y$04$5LP67esldOZyINwk5m2B/.MdkpMNJDNI71y.dKYJZq/OI9ni9C8u\u00e9")]
    [InlineData("$2y$04$5LP67esldOZyINwk5m2B/.MdkpMNJDNI71y.dKYJZq/OI9ni9C8u\u0660")]
    [InlineData("$2y$\u0660\u0664$5LP67esldOZyINwk5m2B/.MdkpMNJDNI71y.dKYJZq/OI9ni9C8ui")]
    [InlineData("$apr1$QR3B0VV6$EmTXE1MQpdtHQmKcwoI.x/")]
    [InlineData("")]
    public void TryGetCost_NotAWellFormedBcryptHash_Null(string hash)
    {
        Assert.Null(BcryptHash.TryGetCost(hash));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void CreateDummy_Cost_WellFormedHashOfThatCostNoCommonPasswordMatches(int cost)
    {
        var dummy = BcryptHash.CreateDummy(cost);

        Assert.Equal(cost, BcryptHash.TryGetCost(dummy));
        Assert.False(BcryptHash.Verify(Secret.FromString(string.Empty), dummy));
        Assert.False(BcryptHash.Verify(Secret.FromString("password"), dummy));
        Assert.NotEqual(dummy, BcryptHash.CreateDummy(cost));
    }
}
