using Gateway.Registry.Acl;

namespace Gateway.Registry.Tests.Acl;

/// <summary>Cases from Go's <c>path.Match</c> tests: docker_auth matches every non-regex value with it.</summary>
public sealed class GlobPatternTests
{
    [Theory]
    [InlineData("abc", "abc", true)]
    [InlineData("*", "abc", true)]
    [InlineData("*c", "abc", true)]
    [InlineData("a*", "a", true)]
    [InlineData("a*", "abc", true)]
    [InlineData("a*", "ab/c", false)]
    [InlineData("a*/b", "abc/b", true)]
    [InlineData("a*/b", "a/c/b", false)]
    [InlineData("a*b*c*d*e*/f", "axbxcxdxe/f", true)]
    [InlineData("a*b*c*d*e*/f", "axbxcxdxexxx/f", true)]
    [InlineData("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false)]
    [InlineData("a*b*c*d*e*/f", "axbxcxdxexxx/fff", false)]
    [InlineData("a*b?c*x", "abxbbxdbxebxczzx", true)]
    [InlineData("a*b?c*x", "abxbbxdbxebxczzy", false)]
    [InlineData("ab[c]", "abc", true)]
    [InlineData("ab[b-d]", "abc", true)]
    [InlineData("ab[e-g]", "abc", false)]
    [InlineData("ab[^c]", "abc", false)]
    [InlineData("ab[^b-d]", "abc", false)]
    [InlineData("ab[^e-g]", "abc", true)]
    [InlineData("a\\*b", "a*b", true)]
    [InlineData("a\\*b", "ab", false)]
    [InlineData("a?b", "a☺b", true)]
    [InlineData("a[^a]b", "a☺b", true)]
    [InlineData("a???b", "a☺b", false)]
    [InlineData("a[^a][^a][^a]b", "a☺b", false)]
    [InlineData("[a-ζ]*", "α", true)]
    [InlineData("*[a-ζ]", "A", false)]
    [InlineData("a?b", "a/b", false)]
    [InlineData("a*b", "a/b", false)]
    [InlineData("[\\]a]", "]", true)]
    [InlineData("[\\-]", "-", true)]
    [InlineData("[x\\-]", "x", true)]
    [InlineData("[x\\-]", "-", true)]
    [InlineData("[x\\-]", "z", false)]
    [InlineData("[\\-x]", "x", true)]
    [InlineData("[\\-x]", "-", true)]
    [InlineData("[\\-x]", "a", false)]
    [InlineData("*x", "xxx", true)]
    [InlineData("alice/*", "alice/app", true)]
    [InlineData("alice/*", "alice/team/app", false)]
    [InlineData("alice/*", "alice/", true)]
    [InlineData("", "", true)]
    [InlineData("", "x", false)]
    [InlineData("a𝄞b", "a𝄞b", true)]
    [InlineData("a?b", "a𝄞b", true)]
    public void IsMatch_GoPathMatchCases_SameResult(string pattern, string name, bool expected)
    {
        Assert.True(GlobPattern.IsValid(pattern));
        Assert.Equal(expected, GlobPattern.IsMatch(pattern, name));
    }

    [Theory]
    [InlineData("[]a]")]
    [InlineData("[-]")]
    [InlineData("[x-]")]
    [InlineData("[-x]")]
    [InlineData("\\")]
    [InlineData("[a-b-c]")]
    [InlineData("[")]
    [InlineData("[^")]
    [InlineData("[^bc")]
    [InlineData("a[")]
    [InlineData("a/b[")]
    [InlineData("*[")]
    public void IsValid_MalformedPattern_FalseAndNeverMatches(string pattern)
    {
        Assert.False(GlobPattern.IsValid(pattern));
        Assert.False(GlobPattern.IsMatch(pattern, "a"));
        Assert.False(GlobPattern.IsMatch(pattern, "]"));
    }
}
