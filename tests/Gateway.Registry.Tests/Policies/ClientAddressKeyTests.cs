using Gateway.Registry.Policies;

namespace Gateway.Registry.Tests.Policies;

public sealed class ClientAddressKeyTests
{
    [Theory]
    [InlineData("192.0.2.10")]
    [InlineData("10.0.0.1")]
    [InlineData("255.255.255.255")]
    public void For_IPv4_Unchanged(string address)
    {
        Assert.Equal(address, ClientAddressKey.For(address));
    }

    [Theory]
    [InlineData("::ffff:192.0.2.10", "192.0.2.10")]
    [InlineData("::FFFF:10.1.2.3", "10.1.2.3")]
    public void For_IPv4MappedIPv6_TheIPv4Address(string address, string expected)
    {
        Assert.Equal(expected, ClientAddressKey.For(address));
    }

    [Fact]
    public void For_MappedAndPlainIPv4_SameKey()
    {
        Assert.Equal(ClientAddressKey.For("203.0.113.7"), ClientAddressKey.For("::ffff:203.0.113.7"));
    }

    [Theory]
    [InlineData("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::", "2001:db8:1:2::/64")]
    [InlineData("2001:0DB8:0001:0002:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64")]
    [InlineData("::1", "::/64")]
    public void For_IPv6_Its64Prefix(string address, string expected)
    {
        Assert.Equal(expected, ClientAddressKey.For(address));
    }

    [Fact]
    public void For_TwoAddressesInOne64_SameKey()
    {
        Assert.Equal(ClientAddressKey.For("2001:db8:aa:bb::1"), ClientAddressKey.For("2001:db8:aa:bb:dead:beef:0:42"));
    }

    [Fact]
    public void For_AddressesInDifferent64s_DifferentKeys()
    {
        Assert.NotEqual(ClientAddressKey.For("2001:db8:aa:bb::1"), ClientAddressKey.For("2001:db8:aa:bc::1"));
        Assert.NotEqual(ClientAddressKey.For("2001:db8:aa:bb::1"), ClientAddressKey.For("2001:db9:aa:bb::1"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("unknown")]
    [InlineData("not an address")]
    [InlineData("192.0.2.300")]
    [InlineData("2001:db8:::1")]
    public void For_TextThatIsNoAddress_PassedThrough(string text)
    {
        Assert.Equal(text, ClientAddressKey.For(text));
    }
}
