using Gateway.Registry.Credentials;

namespace Gateway.Registry.Tests.Credentials;

public sealed class HtpasswdParserTests
{
    private const string Path = "/etc/gateway/htpasswd";

    [Fact]
    public void Parse_FileMadeByHtpasswdBcrypt_EntriesThatVerify()
    {
        var content = $"{HtpasswdSamples.AliceCost4}\n{HtpasswdSamples.BobCost5}\n";

        var result = HtpasswdParser.Parse(Path, content);

        Assert.True(result.IsValid);
        Assert.Empty(result.Problems);
        var snapshot = result.Snapshot!;
        Assert.Equal(["alice", "bob"], snapshot.Entries.Keys.Order(StringComparer.Ordinal));
        var alice = snapshot.Find("alice")!;
        var bob = snapshot.Find("bob")!;
        Assert.Equal(4, alice.Cost);
        Assert.Equal(5, bob.Cost);
        Assert.True(BcryptHash.Verify(Secret.FromString(HtpasswdSamples.AlicePassword), alice.Hash));
        Assert.True(BcryptHash.Verify(Secret.FromString(HtpasswdSamples.BobPassword), bob.Hash));
        Assert.False(BcryptHash.Verify(Secret.FromString(HtpasswdSamples.BobPassword), alice.Hash));
    }

    [HtpasswdFact]
    public void Parse_FreshFileFromHtpasswdTool_EntriesThatVerify()
    {
        using var directory = new TempDirectory();
        var file = directory.File("htpasswd");
        HtpasswdTool.Run("-bBc", "-C", "4", file, "alice", "alice-pw");
        HtpasswdTool.Run("-bB", "-C", "5", file, "bob", "bob:pw");

        var result = HtpasswdParser.Parse(file, File.ReadAllText(file));

        Assert.True(result.IsValid);
        var snapshot = result.Snapshot!;
        Assert.Equal(2, snapshot.Entries.Count);
        Assert.StartsWith("$2y$04$", snapshot.Find("alice")!.Hash, StringComparison.Ordinal);
        Assert.True(BcryptHash.Verify(Secret.FromString("alice-pw"), snapshot.Find("alice")!.Hash));
        Assert.True(BcryptHash.Verify(Secret.FromString("bob:pw"), snapshot.Find("bob")!.Hash));
        Assert.False(BcryptHash.Verify(Secret.FromString("alice-pw"), snapshot.Find("bob")!.Hash));
        Assert.Equal(5, BcryptHash.TryGetCost(snapshot.DummyHash));
    }

    [Theory]
    [InlineData("$2a$")]
    [InlineData("$2b$")]
    [InlineData("$2y$")]
    public void Parse_BcryptVariantPrefixes_Accepted(string prefix)
    {
        var hash = prefix + BCrypt.Net.BCrypt.HashPassword("variant-pw", 4)[4..];

        var result = HtpasswdParser.Parse(Path, $"carol:{hash}\n");

        Assert.True(result.IsValid);
        var entry = result.Snapshot!.Find("carol")!;
        Assert.Equal(hash, entry.Hash);
        Assert.Equal(4, entry.Cost);
        Assert.True(BcryptHash.Verify(Secret.FromString("variant-pw"), entry.Hash));
    }

    [Fact]
    public void Parse_CommentsBlankLinesAndCrlf_OnlyEntriesWithCleanHashes()
    {
        var aliceHash = HtpasswdSamples.HashOf(HtpasswdSamples.AliceCost4);
        var content = "# registry users\r\n\r\n" + HtpasswdSamples.AliceCost4 + "\r\n   \r\n  # indented comment\r\n\t\r\n"
            + HtpasswdSamples.BobCost5 + "   \r\n";

        var result = HtpasswdParser.Parse(Path, content);

        Assert.True(result.IsValid);
        var snapshot = result.Snapshot!;
        Assert.Equal(2, snapshot.Entries.Count);
        Assert.Equal(aliceHash, snapshot.Find("alice")!.Hash);
        Assert.Equal(HtpasswdSamples.HashOf(HtpasswdSamples.BobCost5), snapshot.Find("bob")!.Hash);
        Assert.True(BcryptHash.Verify(Secret.FromString(HtpasswdSamples.AlicePassword), snapshot.Find("alice")!.Hash));
    }

    [Fact]
    public void Parse_NoTrailingNewline_LastEntryRead()
    {
        var result = HtpasswdParser.Parse(Path, HtpasswdSamples.AliceCost4);

        Assert.NotNull(result.Snapshot?.Find("alice"));
    }

    [Fact]
    public void Find_UserNameInAnotherCase_Null()
    {
        var snapshot = HtpasswdParser.Parse(Path, HtpasswdSamples.AliceCost4).Snapshot!;

        Assert.Null(snapshot.Find("Alice"));
        Assert.Null(snapshot.Find("nobody"));
        Assert.NotNull(snapshot.Find("alice"));
    }

    [Theory]
    [InlineData(HtpasswdSamples.CarolMd5, "carol", "$apr1$QR3B0VV6$EmTXE1MQpdtHQmKcwoI.x/")]
    [InlineData(HtpasswdSamples.DaveSha1, "dave", "/TTyNeEGGsIdogUniWdAiSZZkd0=")]
    [InlineData(HtpasswdSamples.ErinPlain, "erin", "plain-pass-Zq")]
    [InlineData(HtpasswdSamples.FrankCrypt, "frank", "L0X./Jp8CrL5U")]
    public void Parse_WeakerSchemeFromHtpasswd_InvalidWithLineUserAndFix(string line, string user, string secretPart)
    {
        // The weak entry is on line 3, after a bcrypt entry and a comment.
        var content = $"{HtpasswdSamples.AliceCost4}\n# added later\n{line}\n";

        var result = HtpasswdParser.Parse(Path, content);

        Assert.False(result.IsValid);
        Assert.Null(result.Snapshot);
        var problem = Assert.Single(result.Problems);
        Assert.Equal(3, problem.Line);
        Assert.Equal(user, problem.UserName);
        Assert.Contains($"{Path}:3", problem.Message, StringComparison.Ordinal);
        Assert.Contains($"'{user}'", problem.Message, StringComparison.Ordinal);
        Assert.Contains("htpasswd -B", problem.Message, StringComparison.Ordinal);
        // The message is for logs: it must not carry the stored hash or, for plain text, the password.
        Assert.DoesNotContain(secretPart, problem.Message, StringComparison.Ordinal);
    }

    [HtpasswdFact]
    public void Parse_WeakerSchemesFromHtpasswdTool_EveryWeakLineReported()
    {
        using var directory = new TempDirectory();
        var file = directory.File("htpasswd");
        HtpasswdTool.Run("-bBc", "-C", "4", file, "good", "good-pw");
        HtpasswdTool.Run("-bm", file, "md5user", "md5-pw");
        HtpasswdTool.Run("-bs", file, "shauser", "sha-pw");
        HtpasswdTool.Run("-bp", file, "plainuser", "plain-secret-pw");

        var result = HtpasswdParser.Parse(file, File.ReadAllText(file));

        Assert.False(result.IsValid);
        Assert.Collection(
            result.Problems,
            p => AssertProblem(p, file, 2, "md5user"),
            p => AssertProblem(p, file, 3, "shauser"),
            p => AssertProblem(p, file, 4, "plainuser"));
        Assert.All(result.Problems, p => Assert.DoesNotContain("plain-secret-pw", p.Message, StringComparison.Ordinal));

        static void AssertProblem(HtpasswdProblem problem, string file, int line, string user)
        {
            Assert.Equal(line, problem.Line);
            Assert.Equal(user, problem.UserName);
            Assert.Contains($"{file}:{line}", problem.Message, StringComparison.Ordinal);
            Assert.Contains(user, problem.Message, StringComparison.Ordinal);
            Assert.Contains("htpasswd -B", problem.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Parse_DuplicateUser_InvalidNamingTheSecondLine()
    {
        var content = $"{HtpasswdSamples.AliceCost4}\n{HtpasswdSamples.BobCost5}\n{HtpasswdSamples.AliceCost4}\n";

        var result = HtpasswdParser.Parse(Path, content);

        Assert.False(result.IsValid);
        var problem = Assert.Single(result.Problems);
        Assert.Equal(3, problem.Line);
        Assert.Equal("alice", problem.UserName);
        Assert.Contains($"{Path}:3", problem.Message, StringComparison.Ordinal);
        Assert.Contains("'alice'", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("just-a-name")]
    [InlineData(":$2y$04$5LP67esldOZyINwk5m2B/.MdkpMNJDNI71y.dKYJZq/OI9ni9C8ui")]
    public void Parse_LineWithoutUserAndHash_InvalidWithoutUser(string line)
    {
        var result = HtpasswdParser.Parse(Path, $"{HtpasswdSamples.AliceCost4}\n{line}\n");

        Assert.False(result.IsValid);
        var problem = Assert.Single(result.Problems);
        Assert.Equal(2, problem.Line);
        Assert.Null(problem.UserName);
        Assert.Contains($"{Path}:2", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TruncatedBcryptHash_Invalid()
    {
        var result = HtpasswdParser.Parse(Path, HtpasswdSamples.AliceCost4[..^1]);

        Assert.False(result.IsValid);
        Assert.Equal("alice", Assert.Single(result.Problems).UserName);
    }

    [Fact]
    public void Parse_EntriesOfDifferentCosts_DummyHashAtHighestCost()
    {
        var result = HtpasswdParser.Parse(Path, $"{HtpasswdSamples.AliceCost4}\n{HtpasswdSamples.BobCost5}\n");

        var dummy = result.Snapshot!.DummyHash;
        Assert.Equal(5, BcryptHash.TryGetCost(dummy));
        Assert.False(BcryptHash.Verify(Secret.FromString(HtpasswdSamples.AlicePassword), dummy));
        Assert.False(BcryptHash.Verify(Secret.FromString(string.Empty), dummy));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("# no users yet\r\n\r\n")]
    public void Parse_NoEntries_ValidWithCost10Dummy(string content)
    {
        var result = HtpasswdParser.Parse(Path, content);

        Assert.True(result.IsValid);
        Assert.Empty(result.Problems);
        Assert.Empty(result.Snapshot!.Entries);
        Assert.Equal(10, BcryptHash.TryGetCost(result.Snapshot.DummyHash));
    }

    [Fact]
    public void Parse_PreviousDummyOfSameCost_Reused()
    {
        var previous = HtpasswdParser.Parse(Path, HtpasswdSamples.AliceCost4).Snapshot!.DummyHash;

        var result = HtpasswdParser.Parse(Path, HtpasswdSamples.AliceCost4, previous);

        Assert.Same(previous, result.Snapshot!.DummyHash);
    }

    [Fact]
    public void Parse_PreviousDummyOfOtherCost_Replaced()
    {
        var previous = HtpasswdParser.Parse(Path, HtpasswdSamples.AliceCost4).Snapshot!.DummyHash;

        var result = HtpasswdParser.Parse(Path, $"{HtpasswdSamples.AliceCost4}\n{HtpasswdSamples.BobCost5}\n", previous);

        Assert.NotEqual(previous, result.Snapshot!.DummyHash);
        Assert.Equal(5, BcryptHash.TryGetCost(result.Snapshot.DummyHash));
    }

    [Fact]
    public void Parse_PreviousDummyNotBcrypt_Replaced()
    {
        var result = HtpasswdParser.Parse(Path, HtpasswdSamples.AliceCost4, "not-a-hash");

        Assert.Equal(4, BcryptHash.TryGetCost(result.Snapshot!.DummyHash));
    }

    [Fact]
    public void Parse_NewDummyEachParseWithoutPrevious_DifferentHashes()
    {
        var first = HtpasswdParser.Parse(Path, HtpasswdSamples.AliceCost4).Snapshot!.DummyHash;
        var second = HtpasswdParser.Parse(Path, HtpasswdSamples.AliceCost4).Snapshot!.DummyHash;

        Assert.NotEqual(first, second);
    }

    [Fact]
    public void ToString_Entry_NeverPrintsTheHash()
    {
        var entry = HtpasswdParser.Parse(Path, HtpasswdSamples.AliceCost4).Snapshot!.Find("alice")!;

        Assert.DoesNotContain(entry.Hash, entry.ToString(), StringComparison.Ordinal);
        Assert.Contains("alice", entry.ToString(), StringComparison.Ordinal);
    }
}
