using Gateway.Edge.Caching;

namespace Gateway.Edge.Tests.Caching;

public sealed class InvalidationMessageTests
{
    private static readonly ContentAddress Address = new(CachedResource.Manifest, "team/app", "sha256:" + new string('a', 64));

    [Fact]
    public void TryParse_WhatToWireWrote_SameMessage()
    {
        var node = NodeIds.New();
        var sent = new InvalidationMessage(Address, node, 42);

        Assert.True(InvalidationMessage.TryParse(sent.ToWire(), out var read));

        Assert.Equal(sent, read);
        Assert.True(read.WantsConfirmation);
    }

    [Fact]
    public void TryParse_AddressAloneAsThePreviousReleaseSendsIt_InvalidationWithoutConfirmation()
    {
        Assert.True(InvalidationMessage.TryParse(Address.ToWire(), out var read));

        Assert.Equal(Address, read.Address);
        Assert.False(read.WantsConfirmation);
    }

    [Theory]
    [InlineData("")]
    [InlineData("m\nteam/app")]
    [InlineData("m\nteam/app\nsha256:x\nnot-a-node-id\n1")]
    [InlineData("m\nteam/app\nsha256:x\n0123456789abcdef0123456789ABCDEF\n1")]
    [InlineData("m\nteam/app\nsha256:x\n0123456789abcdef0123456789abcdef\n-1")]
    [InlineData("m\nteam/app\nsha256:x\n0123456789abcdef0123456789abcdef\n1\nextra")]
    [InlineData("x\nteam/app\nsha256:x\n0123456789abcdef0123456789abcdef\n1")]
    public void TryParse_Malformed_False(string text)
    {
        Assert.False(InvalidationMessage.TryParse(text, out _));
    }

    [Fact]
    public void New_TwoNodes_DifferentValidIds()
    {
        var first = NodeIds.New();
        var second = NodeIds.New();

        Assert.NotEqual(first, second);
        Assert.True(NodeIds.IsValid(first));
        Assert.True(NodeIds.IsValid(second));
    }
}
