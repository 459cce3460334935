using Gateway.Registry.Access;

namespace Gateway.Registry.Tests.Access;

/// <summary>
/// Go's <c>url.ParseQuery</c> + <c>FormValue</c>, case by case as Go 1.19 answers them (checked against the oracle built
/// from Debian's Go and distribution source in <c>Gateway.Edge.Tests/Access/Differential</c>).
/// </summary>
public sealed class GoQueryTests
{
    [Theory]
    [InlineData("from=bob/private", "bob/private", 1)]
    [InlineData("mount=x&from=bob/private", "bob/private", 1)]
    [InlineData("from=bob%2Fprivate", "bob/private", 1)]
    [InlineData("fr%6Fm=bob/private", "bob/private", 1)]
    [InlineData("%66rom=bob/private", "bob/private", 1)]
    [InlineData("from=a+b", "a b", 1)]
    [InlineData("from=alice/app&from=bob/private", "alice/app", 2)]
    [InlineData("from=%zz&from=bob/private", "bob/private", 1)]
    [InlineData("from=bob/private%zz", "", 0)]
    [InlineData("from=bob/private%4", "", 0)]
    [InlineData("from=bob/private;", "", 0)]
    [InlineData("x=1;from=bob/private", "", 0)]
    [InlineData("x=1;from=bob/private&from=alice/app", "alice/app", 1)]
    [InlineData("FROM=bob/private", "", 0)]
    [InlineData("From=bob/private", "", 0)]
    [InlineData("from", "", 1)]
    [InlineData("from=", "", 1)]
    [InlineData("from==x", "=x", 1)]
    [InlineData("&&from=a&&", "a", 1)]
    [InlineData("", "", 0)]
    [InlineData("from%20=bob/private", "", 0)]
    [InlineData("from=bob/private#frag", "bob/private#frag", 1)]
    public void Find_From_AsGoFormValueReadsIt(string query, string value, int count)
    {
        var found = GoQuery.Find(query, "from");

        Assert.Equal(value, found.Value);
        Assert.Equal(count, found.Count);
    }

    [Theory]
    [InlineData("abc", "abc")]
    [InlineData("a%41b", "aAb")]
    [InlineData("a%4a", "aJ")]
    [InlineData("a+b", "a b")]
    [InlineData("%e4", "\u00e4")]
    [InlineData("%00", "\0")]
    public void TryUnescape_ValidEscapes_DecodeToBytes(string text, string expected)
    {
        Assert.True(GoQuery.TryUnescape(text, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("%")]
    [InlineData("%4")]
    [InlineData("a%zz")]
    [InlineData("%g0")]
    public void TryUnescape_BadEscape_Fails(string text)
    {
        Assert.False(GoQuery.TryUnescape(text, out _));
    }
}
