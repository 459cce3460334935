using System.DirectoryServices.Protocols;
using Gateway.Edge.Access.Identify.Ldap;

namespace Gateway.Edge.Tests.Access.Identify.Ldap;

public sealed class LdapStartTlsRetryTests
{
    [Fact]
    public void Delay_OperationsErrorUpToMaxRetries_DoublingPausesWithinAFewTensOfMilliseconds()
    {
        var delays = Enumerable.Range(1, LdapStartTlsRetry.MaxRetries).Select(n => LdapStartTlsRetry.Delay(ResultCode.OperationsError, n)).ToList();

        Assert.All(delays, d => Assert.NotNull(d));
        Assert.Equal(LdapStartTlsRetry.FirstDelay, delays[0]);
        for (var i = 1; i < delays.Count; i++)
        {
            Assert.Equal(delays[i - 1] * 2, delays[i]);
        }

        // Far inside any LDAP timeout: a refusal that persists still fails fast.
        Assert.True(delays.Sum(d => d!.Value.TotalMilliseconds) <= 100);
    }

    [Fact]
    public void Delay_OperationsErrorAfterMaxRetries_Final()
    {
        Assert.Null(LdapStartTlsRetry.Delay(ResultCode.OperationsError, LdapStartTlsRetry.MaxRetries + 1));
    }

    [Theory]
    [InlineData(ResultCode.ProtocolError)] // StartTLS not supported
    [InlineData(ResultCode.Unavailable)] // TLS not configured on the server
    [InlineData(ResultCode.UnwillingToPerform)]
    [InlineData(ResultCode.ConfidentialityRequired)]
    [InlineData(ResultCode.Other)]
    public void Delay_OtherRefusals_Final(ResultCode answer)
    {
        Assert.Null(LdapStartTlsRetry.Delay(answer, 1));
    }
}
