using Gateway.Edge.Access.Identify.Ldap;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Edge.Tests.Access.Identify.Ldap;

public sealed class LdapCircuitBreakerTests
{
    private static readonly TimeSpan Break = TimeSpan.FromSeconds(10);

    [Fact]
    public void Failed_BelowThreshold_StaysClosed()
    {
        var breaker = new LdapCircuitBreaker(2, Break, new FakeTimeProvider());

        Assert.False(breaker.Failed());

        Assert.False(breaker.IsOpen);
        Assert.True(breaker.TryEnter());
    }

    [Fact]
    public void Failed_AtThreshold_OpensForTheBreakThenLetsOneProbeIn()
    {
        var time = new FakeTimeProvider();
        var breaker = new LdapCircuitBreaker(2, Break, time);
        breaker.Failed();

        Assert.True(breaker.Failed());
        Assert.True(breaker.IsOpen);
        Assert.False(breaker.TryEnter());
        time.Advance(Break - TimeSpan.FromMilliseconds(1));
        Assert.False(breaker.TryEnter());
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(breaker.TryEnter());
        Assert.False(breaker.TryEnter());
    }

    [Fact]
    public void Succeeded_AfterProbe_Closes()
    {
        var time = new FakeTimeProvider();
        var breaker = new LdapCircuitBreaker(1, Break, time);
        breaker.Failed();
        time.Advance(Break);
        Assert.True(breaker.TryEnter());

        Assert.True(breaker.Succeeded());

        Assert.True(breaker.TryEnter());
        Assert.True(breaker.TryEnter());
        Assert.False(breaker.Succeeded());
    }

    [Fact]
    public void Failed_Probe_OpensAgainForAWholeBreak()
    {
        var time = new FakeTimeProvider();
        var breaker = new LdapCircuitBreaker(1, Break, time);
        breaker.Failed();
        time.Advance(Break);
        Assert.True(breaker.TryEnter());

        Assert.False(breaker.Failed()); // already open: not "opened" again for the logs

        Assert.False(breaker.TryEnter());
        time.Advance(Break);
        Assert.True(breaker.TryEnter());
    }
}
