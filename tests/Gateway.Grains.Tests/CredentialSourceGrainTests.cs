using Gateway.Contracts;
using static Gateway.Grains.Tests.GrainDriver;

namespace Gateway.Grains.Tests;

/// <summary>What the user grain keeps for identity sources beyond htpasswd: labels with the credential, and an outage grace.</summary>
[Collection(GrainCluster.Name)]
public sealed class CredentialSourceGrainTests(ClusterFixture fixture)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(30);

    [Fact]
    public async Task CheckAsync_CachedCredentialWithLabels_HitCarriesLabels()
    {
        var user = NewUser();
        var fingerprint = NewFingerprint();
        var address = NewAddress();
        var check = await Check(user, fingerprint, address);

        var verified = await user.ReportAsync(Report(check.Ticket, fingerprint, address, VerificationResult.Succeeded, new Dictionary<string, string[]> { ["group"] = ["ci", "dev"] }));
        var hit = await Check(user, fingerprint, address);

        Assert.Equal(["ci", "dev"], verified.Labels!["group"]);
        Assert.True(hit.CacheHit);
        Assert.Equal(["ci", "dev"], hit.Labels!["group"]);
    }

    [Fact]
    public async Task ReportAsync_SourceUnavailableWithinGrace_AllowedWithCachedLabels()
    {
        var user = NewUser();
        var fingerprint = NewFingerprint();
        var address = NewAddress();
        await Verify(user, fingerprint, address);
        fixture.Time.Advance(CacheFor + TimeSpan.FromMinutes(1)); // the cache ran out; the grace holds

        var again = await Check(user, fingerprint, address);
        var outage = await user.ReportAsync(Report(again.Ticket, fingerprint, address, VerificationResult.SourceUnavailable, null));

        Assert.Equal(CredentialOutcome.VerifyRequired, again.Outcome);
        Assert.Equal(CredentialOutcome.Allowed, outage.Outcome);
        Assert.Equal(["ci"], outage.Labels!["group"]);
    }

    [Fact]
    public async Task ReportAsync_SourceUnavailablePastGrace_UnavailableAndNothingCounted()
    {
        var user = NewUser();
        var fingerprint = NewFingerprint();
        var address = NewAddress();
        await Verify(user, fingerprint, address);
        fixture.Time.Advance(CacheFor + Grace + TimeSpan.FromSeconds(1));

        var again = await Check(user, fingerprint, address);
        var outage = await user.ReportAsync(Report(again.Ticket, fingerprint, address, VerificationResult.SourceUnavailable, null));
        var status = await user.GetStatusAsync();

        Assert.Equal(CredentialOutcome.Unavailable, outage.Outcome);
        Assert.Equal(0, status.Failures);
    }

    [Fact]
    public async Task ReportAsync_SourceUnavailableForAnotherCredential_Unavailable()
    {
        var user = NewUser();
        var address = NewAddress();
        await Verify(user, NewFingerprint(), address);

        var other = NewFingerprint(); // a different password while the directory is down: never allowed by the grace
        var check = await Check(user, other, address);
        var outage = await user.ReportAsync(Report(check.Ticket, other, address, VerificationResult.SourceUnavailable, null));

        Assert.Equal(CredentialOutcome.Unavailable, outage.Outcome);
    }

    [Fact]
    public async Task ReportAsync_NoCacheLifetimeButAGrace_EveryRequestVerifies_AndTheGraceStillHoldsInAnOutage()
    {
        // Gateway:Ldap:CacheTtl=0 (a bind on every request) with an OutageGrace: nothing is answered from memory, but a
        // credential verified a moment ago still passes while the directory is down.
        var user = NewUser();
        var fingerprint = NewFingerprint();
        var address = NewAddress();
        await Verify(user, fingerprint, address, TimeSpan.Zero);
        fixture.Time.Advance(TimeSpan.FromSeconds(1));

        var again = await Check(user, fingerprint, address);
        var outage = await user.ReportAsync(Report(again.Ticket, fingerprint, address, VerificationResult.SourceUnavailable, null) with { CacheFor = TimeSpan.Zero });

        Assert.Equal(CredentialOutcome.VerifyRequired, again.Outcome);
        Assert.Equal(CredentialOutcome.Allowed, outage.Outcome);
        Assert.Equal(["ci"], outage.Labels!["group"]);
    }

    [Fact]
    public async Task ReportAsync_NoCacheLifetimeAndNoGrace_OutageIsUnavailable()
    {
        var user = NewUser();
        var fingerprint = NewFingerprint();
        var address = NewAddress();
        var check = await Check(user, fingerprint, address);
        await user.ReportAsync(Report(check.Ticket, fingerprint, address, VerificationResult.Succeeded, null) with { CacheFor = TimeSpan.Zero, GraceFor = TimeSpan.Zero });

        var again = await Check(user, fingerprint, address);
        var outage = await user.ReportAsync(Report(again.Ticket, fingerprint, address, VerificationResult.SourceUnavailable, null) with { CacheFor = TimeSpan.Zero, GraceFor = TimeSpan.Zero });

        Assert.Equal(CredentialOutcome.VerifyRequired, again.Outcome);
        Assert.Equal(CredentialOutcome.Unavailable, outage.Outcome);
    }

    private async Task Verify(IUserGrain user, byte[] fingerprint, string address, TimeSpan? cacheFor = null)
    {
        var check = await Check(user, fingerprint, address);
        Assert.Equal(CredentialOutcome.VerifyRequired, check.Outcome);
        var verified = await user.ReportAsync(Report(check.Ticket, fingerprint, address, VerificationResult.Succeeded, new Dictionary<string, string[]> { ["group"] = ["ci"] }) with { CacheFor = cacheFor ?? CacheFor });
        Assert.Equal(CredentialOutcome.Allowed, verified.Outcome);
    }

    private static VerificationReport Report(Guid ticket, byte[] fingerprint, string address, VerificationResult result, Dictionary<string, string[]>? labels) => new()
    {
        Ticket = ticket,
        Fingerprint = fingerprint,
        Result = result,
        CacheFor = CacheFor,
        GraceFor = Grace,
        Labels = labels,
        ClientAddress = address,
    };

    private IUserGrain NewUser() => fixture.Client.GetGrain<IUserGrain>($"source-{Guid.NewGuid():N}");
}
