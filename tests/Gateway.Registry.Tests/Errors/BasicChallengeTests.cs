using System.Text;
using Gateway.Registry.Challenges;

namespace Gateway.Registry.Tests.Errors;

public sealed class BasicChallengeTests
{
    [Fact]
    public void Format_PlainRealm_BasicRealmQuoted()
    {
        Assert.Equal("Basic realm=\"Registry Realm\"", BasicChallenge.Format("Registry Realm"));
    }

    [Fact]
    public void Format_RealmWithQuotes_QuotesEscaped()
    {
        Assert.Equal("Basic realm=\"my \\\"registry\\\"\"", BasicChallenge.Format("my \"registry\""));
    }

    [Fact]
    public void Format_RealmWithBackslash_BackslashEscaped()
    {
        Assert.Equal("Basic realm=\"corp\\\\registry\"", BasicChallenge.Format("corp\\registry"));
    }

    [Fact]
    public void Format_BackslashBeforeQuote_BothEscaped()
    {
        Assert.Equal("Basic realm=\"\\\\\\\"\"", BasicChallenge.Format("\\\""));
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain")]
    [InlineData("\"")]
    [InlineData("\\")]
    [InlineData("a\\\"b\"\\c")]
    [InlineData("\\\\\"\"")]
    [InlineData("ends with backslash\\")]
    public void Format_AnyRealm_QuotedStringThatParsesBackToTheRealm(string realm)
    {
        var challenge = BasicChallenge.Format(realm);

        Assert.StartsWith("Basic realm=\"", challenge, StringComparison.Ordinal);
        Assert.Equal(realm, ParseQuotedString(challenge["Basic realm=".Length..]));
    }

    /// <summary>An RFC 9110 quoted-string reader: fails when the quoted string ends early or has trailing text.</summary>
    private static string ParseQuotedString(string text)
    {
        Assert.Equal('"', text[0]);
        var value = new StringBuilder();
        var i = 1;
        while (true)
        {
            Assert.True(i < text.Length, "unterminated quoted-string");
            var c = text[i++];
            if (c == '"')
            {
                break;
            }

            if (c == '\\')
            {
                Assert.True(i < text.Length, "dangling escape");
                c = text[i++];
            }

            value.Append(c);
        }

        Assert.Equal(text.Length, i);
        return value.ToString();
    }
}
