using Gateway.Edge.Access.Identify.Ldap;

namespace Gateway.Edge.Tests.Access.Identify.Ldap;

public sealed class LdapEscapingTests
{
    [Theory]
    [InlineData("alice", "alice")]
    [InlineData("*", "\\2a")]
    [InlineData("a*)(uid=*", "a\\2a\\29\\28uid=\\2a")]
    [InlineData("back\\slash", "back\\5cslash")]
    [InlineData("nul\0", "nul\\00")]
    [InlineData("jürgen", "jürgen")]
    [InlineData("line\nbreak", "line\\0abreak")]
    public void EscapeFilterValue_SpecialCharacters_EscapedAsRfc4515(string value, string expected)
    {
        Assert.Equal(expected, LdapEscaping.EscapeFilterValue(value));
    }

    [Theory]
    [InlineData("alice", "alice")]
    [InlineData("alice,ou=admins", "alice\\,ou\\=admins")]
    [InlineData("a+cn=b", "a\\+cn\\=b")]
    [InlineData("#hash", "\\#hash")]
    [InlineData(" lead", "\\ lead")]
    [InlineData("trail ", "trail\\ ")]
    [InlineData("q\"<>;\\", "q\\\"\\<\\>\\;\\\\")]
    public void EscapeDnValue_SpecialCharacters_EscapedAsRfc4514(string value, string expected)
    {
        Assert.Equal(expected, LdapEscaping.EscapeDnValue(value));
    }

    [Fact]
    public void Render_ValueHoldingAPlaceholder_StaysLiteral()
    {
        var rendered = LdapEscaping.Render(
            "(&(member=${dn})(uid=${account}))",
            LdapEscaping.EscapeFilterValue,
            ("${dn}", "uid=${account},dc=x"),
            ("${account}", "a*"));

        Assert.Equal("(&(member=uid=${account},dc=x)(uid=a\\2a))", rendered);
    }

    [Theory]
    [InlineData("cn=ci,ou=groups,dc=example,dc=test", "ci")]
    [InlineData("CN=CI Team\\, Berlin,OU=Groups,DC=corp,DC=example", "CI Team, Berlin")]
    [InlineData("cn=caf\\C3\\A9,ou=g", "café")]
    [InlineData("cn = spaced ,ou=g", "spaced")]
    [InlineData("cn=trail\\ ,ou=g", "trail ")]
    [InlineData("cn=a+uid=b,ou=g", "a")]
    [InlineData("cn=single", "single")]
    [InlineData("not a dn", null)]
    [InlineData("cn=,ou=g", null)]
    [InlineData("cn=bad\\", null)]
    public void FirstRdnValue_GroupDn_ReducedToItsName(string dn, string? expected)
    {
        Assert.Equal(expected, LdapEscaping.FirstRdnValue(dn));
    }
}
