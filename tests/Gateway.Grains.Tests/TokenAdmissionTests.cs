using System.Security.Cryptography;
using Gateway.Contracts;

namespace Gateway.Grains.Tests;

/// <summary><see cref="IUserGrain.AdmitAsync"/> and <see cref="IUserGrain.RevokeTokensAsync"/>: requests carrying tokens the gateway issued.</summary>
[Collection(GrainCluster.Name)]
public sealed class TokenAdmissionTests(ClusterFixture fixture)
{
    private static int _addresses;

    [Fact]
    public async Task AdmitAsync_TokenRequests_CountAgainstTheUsersRequestLimitExactly()
    {
        var user = NewUser();
        var address = NewAddress();
        var issued = fixture.Time.GetUtcNow().AddSeconds(-10);

        var decisions = await Task.WhenAll(Enumerable.Range(0, ClusterFixture.RequestLimit + 10)
            .Select(_ => user.AdmitAsync(new Admission { ClientAddress = address, TokenIssuedAt = issued })));

        Assert.Equal(ClusterFixture.RequestLimit, decisions.Count(d => d.Outcome == CredentialOutcome.Allowed));
        var refused = decisions.Where(d => d.Outcome != CredentialOutcome.Allowed).ToList();
        Assert.Equal(10, refused.Count);
        Assert.All(refused, d => Assert.Equal(DenialReason.RequestLimit, d.Reason));
        Assert.All(refused, d => Assert.True(d.RetryAfter > TimeSpan.Zero));
    }

    [Fact]
    public async Task AdmitAsync_ManifestGets_SpendThePullBudgetAndReportIt()
    {
        var user = NewUser();
        var address = NewAddress();
        var issued = fixture.Time.GetUtcNow();

        var pulls = new List<CredentialDecision>();
        for (var i = 0; i <= ClusterFixture.PullLimit; i++)
        {
            pulls.Add(await user.AdmitAsync(new Admission { ClientAddress = address, Kind = RequestKind.ManifestGet, TokenIssuedAt = issued }));
        }

        Assert.Equal(ClusterFixture.PullLimit - 1, pulls[0].Pulls!.Remaining);
        Assert.All(pulls.Take(ClusterFixture.PullLimit), d => Assert.Equal(CredentialOutcome.Allowed, d.Outcome));
        Assert.Equal(CredentialOutcome.RateLimited, pulls[^1].Outcome);
        Assert.Equal(DenialReason.PullLimit, pulls[^1].Reason);
    }

    [Fact]
    public async Task RevokeTokensAsync_TokensIssuedBefore_DeniedAsRevoked_LaterOnesAdmitted()
    {
        var user = NewUser();
        var address = NewAddress();
        var before = fixture.Time.GetUtcNow().AddMinutes(-1);

        var status = await user.RevokeTokensAsync();
        fixture.Time.Advance(TimeSpan.FromSeconds(2));
        var old = await user.AdmitAsync(new Admission { ClientAddress = address, TokenIssuedAt = before });
        var oldGrant = await user.AdmitAsync(new Admission { ClientAddress = address, TokenIssuedAt = before, IsGrant = true });
        var fresh = await user.AdmitAsync(new Admission { ClientAddress = address, TokenIssuedAt = fixture.Time.GetUtcNow() });

        Assert.Equal(fixture.Time.GetUtcNow().AddSeconds(-2), status.TokensRevokedAt);
        Assert.Equal(CredentialOutcome.Denied, old.Outcome);
        Assert.Equal(DenialReason.TokenRevoked, old.Reason);
        Assert.Equal(DenialReason.TokenRevoked, oldGrant.Reason);
        Assert.Equal(CredentialOutcome.Allowed, fresh.Outcome);
        Assert.Equal(status.TokensRevokedAt, (await user.GetStatusAsync()).TokensRevokedAt);
    }

    [Fact]
    public async Task AdmitAsync_PairLocked_RefusesGrantsButNotAccessTokens()
    {
        var user = NewUser();
        var address = NewAddress();
        var issued = fixture.Time.GetUtcNow();
        await LockPairAsync(user, address);

        var grant = await user.AdmitAsync(new Admission { ClientAddress = address, TokenIssuedAt = issued, IsGrant = true });
        var access = await user.AdmitAsync(new Admission { ClientAddress = address, TokenIssuedAt = issued });
        var grantElsewhere = await user.AdmitAsync(new Admission { ClientAddress = NewAddress(), TokenIssuedAt = issued, IsGrant = true });

        Assert.Equal(CredentialOutcome.Locked, grant.Outcome);
        Assert.Equal(DenialReason.PairLocked, grant.Reason);
        Assert.NotNull(grant.LockedUntil);
        Assert.Equal(CredentialOutcome.Allowed, access.Outcome);
        Assert.Equal(CredentialOutcome.Allowed, grantElsewhere.Outcome);
    }

    [Fact]
    public async Task AdmitAsync_AddressBlocked_RefusesTokenRequestsFromIt()
    {
        var address = NewAddress();
        for (var i = 0; i < ClusterFixture.MaxFailuresPerAddress; i++)
        {
            await fixture.Client.GetGrain<IAddressGrain>(address).RecordFailureAsync();
        }

        var decision = await NewUser().AdmitAsync(new Admission { ClientAddress = address, TokenIssuedAt = fixture.Time.GetUtcNow() });

        Assert.Equal(CredentialOutcome.Locked, decision.Outcome);
        Assert.Equal(DenialReason.AddressBlocked, decision.Reason);
    }

    private async Task LockPairAsync(IUserGrain user, string address)
    {
        for (var i = 0; i < ClusterFixture.MaxFailures; i++)
        {
            var fingerprint = RandomNumberGenerator.GetBytes(32);
            var check = await user.CheckAsync(new CredentialCheck { Fingerprint = fingerprint, ClientAddress = address });
            await user.ReportAsync(new VerificationReport { Ticket = check.Ticket, Fingerprint = fingerprint, Result = VerificationResult.Failed, CacheFor = TimeSpan.Zero, ClientAddress = address });
        }
    }

    private IUserGrain NewUser() => fixture.Client.GetGrain<IUserGrain>($"token-{Guid.NewGuid():N}");

    private static string NewAddress() => $"203.0.113.{Interlocked.Increment(ref _addresses)}";
}
