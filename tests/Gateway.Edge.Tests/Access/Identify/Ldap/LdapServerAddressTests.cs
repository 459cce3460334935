using Gateway.Edge.Access.Identify.Ldap;

namespace Gateway.Edge.Tests.Access.Identify.Ldap;

public sealed class LdapServerAddressTests
{
    [Theory]
    [InlineData("ldap://ldap.example.com", "ldap.example.com", 389, false)]
    [InlineData("ldaps://ldap.example.com", "ldap.example.com", 636, true)]
    [InlineData("ldap://127.0.0.1:3890/", "127.0.0.1", 3890, false)]
    [InlineData("ldaps://[::1]:6360", "::1", 6360, true)]
    public void TryParse_Url_HostPortAndScheme(string text, string host, int port, bool ldaps)
    {
        Assert.True(LdapServerAddress.TryParse(text, out var address, out _));

        Assert.Equal(new LdapServerAddress(host, port, ldaps), address);
    }

    [Theory]
    [InlineData("ldap.example.com")]
    [InlineData("http://ldap.example.com")]
    [InlineData("ldap://ldap.example.com/dc=example,dc=com")]
    [InlineData("ldap://user:pw@ldap.example.com")]
    [InlineData("")]
    public void TryParse_NotAServerUrl_SaysWhy(string text)
    {
        Assert.False(LdapServerAddress.TryParse(text, out _, out var error));

        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void ToString_Ipv6_Bracketed()
    {
        Assert.Equal("ldaps://[::1]:636", new LdapServerAddress("::1", 636, true).ToString());
    }
}
