using Gateway.Registry.Logging;

namespace Gateway.Registry.Tests.Logging;

public sealed class LogTextTests
{
    [Theory]
    [InlineData("alice", "alice")]
    [InlineData("robot$ci", "robot$ci")]
    [InlineData("team/app", "team/app")]
    [InlineData("john.smith@example.com", "john.smith@example.com")]
    [InlineData(null, "-")]
    [InlineData("", "\"\"")]
    public void Escape_PlainValue_AsItIs(string? value, string expected) => Assert.Equal(expected, LogText.Escape(value));

    [Theory]
    [InlineData("bob client=6.6.6.6 GET", "\"bob client=6.6.6.6 GET\"")]
    [InlineData("al\"ice", "\"al\\\"ice\"")]
    [InlineData("a\\b", "\"a\\\\b\"")]
    [InlineData("a\nb", "\"a\\u000ab\"")]
    [InlineData("a\u0085b", "\"a\\u0085b\"")]
    [InlineData("a\u2028b", "\"a\\u2028b\"")]
    [InlineData("a\u202eb", "\"a\\u202eb\"")]
    [InlineData("a\u00a0b", "\"a\\u00a0b\"")]
    [InlineData("a\u001b[31m", "\"a\\u001b[31m\"")]
    [InlineData("Jürgen", "\"Jürgen\"")]
    public void Escape_ValueThatCouldForgeOrHide_OneQuotedEscapedField(string value, string expected) => Assert.Equal(expected, LogText.Escape(value));
}
