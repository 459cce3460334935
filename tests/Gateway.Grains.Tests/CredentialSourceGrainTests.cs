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

    private async Task Verify(IUserGrain user, byte[] fingerprint, string address)
    {
        var check = await Check(user, fingerprint, address);
        Assert.Equal(CredentialOutcome.VerifyRequired, check.Outcome);
        var verified = await user.ReportAsync(Report(check.Ticket, fingerprint, address, VerificationResult.Succeeded, new Dictionary<string, string[]> { ["group"] = ["ci"] }));
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
