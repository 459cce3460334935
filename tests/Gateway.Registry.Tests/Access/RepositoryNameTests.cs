using System.Text.RegularExpressions;
using Gateway.Registry.Access;

namespace Gateway.Registry.Tests.Access;

public sealed class RepositoryNameTests
{
    // distribution/reference's patterns, anchored with \z so a trailing newline cannot match.
    private const string NamePattern = @"^[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*)*\z";
    private const string TagPattern = @"^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}\z";
    private const string DigestPattern = @"^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}\z";

    private const string Hex64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("a")]
    [InlineData("0")]
    [InlineData("a/b")]
    [InlineData("a_b")]
    [InlineData("a__b")]
    [InlineData("a-b")]
    [InlineData("a---b")]
    [InlineData("a.b")]
    [InlineData("a.b_c__d-e/f")]
    [InlineData("library/alpine")]
    [InlineData("a/manifests/b")]
    [InlineData("x/y/z/w")]
    public void IsValid_GrammarName_True(string name)
    {
        Assert.True(RepositoryName.IsValid(name));
    }

    [Theory]
    [InlineData("")]
    [InlineData("A")]
    [InlineData("a/B")]
    [InlineData("a..b")]
    [InlineData("a_.b")]
    [InlineData("a.-b")]
    [InlineData("a___b")]
    [InlineData("-a")]
    [InlineData("a-")]
    [InlineData("_a")]
    [InlineData("a.")]
    [InlineData("a//b")]
    [InlineData("/a")]
    [InlineData("a/")]
    [InlineData("a b")]
    [InlineData("a:b")]
    [InlineData("localhost:5000/foo")]
    [InlineData("a/../b")]
    [InlineData("é")]
    public void IsValid_OutsideGrammar_False(string name)
    {
        Assert.False(RepositoryName.IsValid(name));
    }

    [Theory]
    [InlineData(255, true)]
    [InlineData(256, false)]
    public void IsValid_LongName_LimitIs255(int length, bool expected)
    {
        var name = LongName(length);

        Assert.Equal(expected, RepositoryName.IsValid(name));
    }

    [Theory]
    [InlineData("latest")]
    [InlineData("v1.2.3-rc.1")]
    [InlineData("_private")]
    [InlineData("UPPER_lower.9")]
    [InlineData("0")]
    public void IsValidTag_GrammarTag_True(string tag)
    {
        Assert.True(RepositoryName.IsValidTag(tag));
    }

    [Theory]
    [InlineData("")]
    [InlineData(".hidden")]
    [InlineData("-dash")]
    [InlineData("a:b")]
    [InlineData("a/b")]
    [InlineData("a+b")]
    [InlineData("a b")]
    public void IsValidTag_OutsideGrammar_False(string tag)
    {
        Assert.False(RepositoryName.IsValidTag(tag));
    }

    [Theory]
    [InlineData(128, true)]
    [InlineData(129, false)]
    public void IsValidTag_LongTag_LimitIs128(int length, bool expected)
    {
        Assert.Equal(expected, RepositoryName.IsValidTag(new string('t', length)));
    }

    [Theory]
    [InlineData("sha256:" + Hex64)]
    [InlineData("sha512:" + Hex64 + Hex64)]
    [InlineData("SHA256:" + "0123456789ABCDEF0123456789ABCDEF")]
    [InlineData("sha256+b64u.x-y_z:" + "0123456789abcdef0123456789abcdef")]
    [InlineData("a1:0123456789abcdef0123456789abcdef")]
    public void IsValidDigest_RegistryDigest_True(string digest)
    {
        Assert.True(RepositoryName.IsValidDigest(digest));
    }

    [Theory]
    [InlineData("")]
    [InlineData("sha256")]
    [InlineData("sha256:")]
    [InlineData("sha256:0123456789abcdef0123456789abcde")] // 31 hex digits
    [InlineData(":0123456789abcdef0123456789abcdef")]
    [InlineData("1sha:0123456789abcdef0123456789abcdef")]
    [InlineData("sha256+:0123456789abcdef0123456789abcdef")]
    [InlineData("sha+1:0123456789abcdef0123456789abcdef")]
    [InlineData("sha256:0123456789abcdef0123456789abcdeg")]
    [InlineData("sha256:0123456789abcdef0123456789abcdef:00")]
    [InlineData("sha256:ASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4mrze8=")] // base64, not hex
    public void IsValidDigest_OutsideGrammar_False(string digest)
    {
        Assert.False(RepositoryName.IsValidDigest(digest));
    }

    [Theory]
    [InlineData(256, true)]
    [InlineData(257, false)]
    public void IsValidDigest_LongDigest_LimitIs256(int length, bool expected)
    {
        var digest = "sha256:" + new string('a', length - "sha256:".Length);

        Assert.Equal(expected, RepositoryName.IsValidDigest(digest));
    }

    [Fact]
    public void IsValid_RandomStrings_AgreesWithDistributionRegex()
    {
        var regex = new Regex(NamePattern, RegexOptions.CultureInvariant);
        AssertAgrees(regex, "ab0._-/", maxLength: 12, candidate => RepositoryName.IsValid(candidate));
    }

    [Fact]
    public void IsValidTag_RandomStrings_AgreesWithDistributionRegex()
    {
        var regex = new Regex(TagPattern, RegexOptions.CultureInvariant);
        AssertAgrees(regex, "aZ0._-:/", maxLength: 8, candidate => RepositoryName.IsValidTag(candidate));
    }

    [Fact]
    public void IsValidDigest_RandomStrings_AgreesWithDistributionRegex()
    {
        var regex = new Regex(DigestPattern, RegexOptions.CultureInvariant);
        var random = new Random(20240611);
        const string AlgorithmAlphabet = "sA1-_+.:";
        for (var n = 0; n < 20_000; n++)
        {
            var algorithm = RandomString(random, AlgorithmAlphabet, random.Next(0, 8));
            var hex = RandomString(random, "0aF:g", random.Next(30, 36));
            var candidate = algorithm + ":" + hex;

            Assert.True(regex.IsMatch(candidate) == RepositoryName.IsValidDigest(candidate), candidate);
        }
    }

    internal static string LongName(int length)
    {
        // "aaaa/aaaa/..." shaped, ending in a letter, exactly `length` characters.
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = i % 5 == 4 && i != length - 1 ? '/' : 'a';
        }

        return new string(chars);
    }

    private static void AssertAgrees(Regex regex, string alphabet, int maxLength, Func<string, bool> subject)
    {
        var random = new Random(20240611);
        for (var n = 0; n < 50_000; n++)
        {
            var candidate = RandomString(random, alphabet, random.Next(0, maxLength + 1));

            Assert.True(regex.IsMatch(candidate) == subject(candidate), candidate);
        }
    }

    private static string RandomString(Random random, string alphabet, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = alphabet[random.Next(alphabet.Length)];
        }

        return new string(chars);
    }
}
