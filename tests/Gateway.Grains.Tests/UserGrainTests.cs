using System.Reflection;
using System.Security.Cryptography;
using Gateway.Contracts;

namespace Gateway.Grains.Tests;

[Collection(GrainCluster.Name)]
public sealed class UserGrainTests(ClusterFixture fixture)
{
    private static readonly TimeSpan TenMinutes = TimeSpan.FromMinutes(10);

    private static readonly TimeSpan PendingTimeout = VerificationCoalescer.Timeout;

    // Real time allowed for a grain call that should answer promptly (the grains' own clock is fake).
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task CheckAsync_FirstTimeForFingerprint_VerifyRequiredWithTicket()
    {
        var grain = NewUser();

        var decision = await Check(grain, NewFingerprint());

        Assert.Equal(CredentialOutcome.VerifyRequired, decision.Outcome);
        Assert.NotEqual(Guid.Empty, decision.Ticket);
        Assert.False(decision.CacheHit);
        Assert.False(decision.Coalesced);
    }

    [Fact]
    public async Task CheckAsync_AfterSuccessfulReport_AllowedFromCache()
    {
        var grain = NewUser();
        var fingerprint = NewFingerprint();
        var first = await Check(grain, fingerprint);

        await Report(grain, first.Ticket, fingerprint, succeeded: true, TenMinutes);
        var second = await Check(grain, fingerprint);

        Assert.Equal(CredentialOutcome.Allowed, second.Outcome);
        Assert.True(second.CacheHit);
        Assert.False(second.Coalesced);
    }

    [Fact]
    public async Task CheckAsync_DifferentFingerprintThanCached_VerifyRequired()
    {
        var grain = NewUser();
        var cached = NewFingerprint();
        var first = await Check(grain, cached);
        await Report(grain, first.Ticket, cached, succeeded: true, TenMinutes);

        var other = await Check(grain, NewFingerprint());

        Assert.Equal(CredentialOutcome.VerifyRequired, other.Outcome);
        Assert.NotEqual(first.Ticket, other.Ticket);
    }

    [Fact]
    public async Task CheckAsync_CacheLifetimeRunsOut_VerifyRequiredAgain()
    {
        var grain = NewUser();
        var fingerprint = NewFingerprint();
        var first = await Check(grain, fingerprint);
        await Report(grain, first.Ticket, fingerprint, succeeded: true, TenMinutes);

        fixture.Time.Advance(TenMinutes - TimeSpan.FromSeconds(1));
        var justBefore = await Check(grain, fingerprint);
        fixture.Time.Advance(TimeSpan.FromSeconds(2));
        var after = await Check(grain, fingerprint);

        Assert.Equal(CredentialOutcome.Allowed, justBefore.Outcome);
        Assert.True(justBefore.CacheHit);
        Assert.Equal(CredentialOutcome.VerifyRequired, after.Outcome);
        Assert.NotEqual(Guid.Empty, after.Ticket);
    }

    [Fact]
    public async Task CheckAsync_AfterFailedReport_SameCredentialDeniedWithoutVerificationOtherOneVerified()
    {
        var grain = NewUser();
        var fingerprint = NewFingerprint();
        var first = await Check(grain, fingerprint);

        await Report(grain, first.Ticket, fingerprint, succeeded: false, TenMinutes);
        var same = await Check(grain, fingerprint);
        var other = await Check(grain, NewFingerprint());

        Assert.Equal(CredentialOutcome.Denied, same.Outcome);
        Assert.Equal(DenialReason.RepeatedFailure, same.Reason);
        Assert.Equal(Guid.Empty, same.Ticket);
        Assert.False(same.CacheHit);
        Assert.Equal(CredentialOutcome.VerifyRequired, other.Outcome);
        Assert.NotEqual(first.Ticket, other.Ticket);
    }

    [Fact]
    public async Task CheckAsync_AfterSuccessWithZeroCacheLifetime_VerifyRequiredAgain()
    {
        var grain = NewUser();
        var fingerprint = NewFingerprint();
        var first = await Check(grain, fingerprint);

        await Report(grain, first.Ticket, fingerprint, succeeded: true, TimeSpan.Zero);
        var second = await Check(grain, fingerprint);

        Assert.Equal(CredentialOutcome.VerifyRequired, second.Outcome);
        Assert.False(second.CacheHit);
    }

    [Fact]
    public async Task CheckAsync_AnotherFingerprintVerifiedSince_OldFingerprintNoLongerCached()
    {
        // The grain keeps only the last verified credential (e.g. the htpasswd entry changed).
        var grain = NewUser();
        var oldFingerprint = NewFingerprint();
        var newFingerprint = NewFingerprint();
        var first = await Check(grain, oldFingerprint);
        await Report(grain, first.Ticket, oldFingerprint, succeeded: true, TenMinutes);
        var second = await Check(grain, newFingerprint);
        await Report(grain, second.Ticket, newFingerprint, succeeded: true, TenMinutes);

        var newAgain = await Check(grain, newFingerprint);
        var oldAgain = await Check(grain, oldFingerprint);

        Assert.Equal(CredentialOutcome.Allowed, newAgain.Outcome);
        Assert.Equal(CredentialOutcome.VerifyRequired, oldAgain.Outcome);
    }

    [Fact]
    public async Task CheckAsync_ConcurrentSameFingerprintThenSuccess_AllWaitThenAllowedCoalesced()
    {
        var grain = NewUser();
        var fingerprint = NewFingerprint();
        var first = await Check(grain, fingerprint);

        var waiters = await StartParkedChecks(grain, fingerprint, 10, PendingTimeout);
        await Task.Delay(200);
        Assert.All(waiters, w => Assert.False(w.IsCompleted));

        await Report(grain, first.Ticket, fingerprint, succeeded: true, TenMinutes);
        var decisions = await Task.WhenAll(waiters).WaitAsync(Prompt);

        Assert.All(decisions, d =>
        {
            Assert.Equal(CredentialOutcome.Allowed, d.Outcome);
            Assert.True(d.Coalesced);
            Assert.False(d.CacheHit);
        });
        Assert.Single(decisions.Append(first), d => d.Outcome == CredentialOutcome.VerifyRequired);
    }

    [Fact]
    public async Task CheckAsync_ConcurrentSameFingerprintThenFailure_AllDeniedCoalescedThenRepeatsDenied()
    {
        var grain = NewUser();
        var fingerprint = NewFingerprint();
        var first = await Check(grain, fingerprint);

        var waiters = await StartParkedChecks(grain, fingerprint, 10, PendingTimeout);
        await Task.Delay(200);
        Assert.All(waiters, w => Assert.False(w.IsCompleted));

        await Report(grain, first.Ticket, fingerprint, succeeded: false, TenMinutes);
        var decisions = await Task.WhenAll(waiters).WaitAsync(Prompt);
        var afterwards = await Check(grain, fingerprint);

        Assert.All(decisions, d =>
        {
            Assert.Equal(CredentialOutcome.Denied, d.Outcome);
            Assert.True(d.Coalesced);
        });
        Assert.Single(decisions.Append(first), d => d.Outcome == CredentialOutcome.VerifyRequired);

        // Known to fail from this address: refused again without a verification (LockoutGrainTests has the counting).
        Assert.Equal(CredentialOutcome.Denied, afterwards.Outcome);
        Assert.Equal(DenialReason.RepeatedFailure, afterwards.Reason);
    }

    [Fact]
    public async Task CheckAsync_OtherFingerprintWhileVerificationPending_VerifyRequiredWithoutWaiting()
    {
        var grain = NewUser();
        var pending = await Check(grain, NewFingerprint());

        var other = await Check(grain, NewFingerprint()).WaitAsync(Prompt);

        Assert.Equal(CredentialOutcome.VerifyRequired, other.Outcome);
        Assert.NotEqual(pending.Ticket, other.Ticket);
        Assert.False(other.Coalesced);
    }

    [Fact]
    public async Task CheckAsync_VerifierNeverReports_OneWaiterTakesOverAndTheOthersWaitForIt()
    {
        var grain = NewUser();
        var fingerprint = NewFingerprint();
        var abandoned = await Check(grain, fingerprint);
        var waiters = await StartParkedChecks(grain, fingerprint, 3, PendingTimeout);

        fixture.Time.Advance(PendingTimeout);
        var first = await (await Task.WhenAny(waiters).WaitAsync(Prompt));

        // Exactly one waiter verifies again (one bcrypt, not three); the others wait for its report.
        Assert.Equal(CredentialOutcome.VerifyRequired, first.Outcome);
        Assert.NotEqual(abandoned.Ticket, first.Ticket);
        await Task.Delay(100);
        Assert.Equal(1, waiters.Count(w => w.IsCompleted));

        await Report(grain, first.Ticket, fingerprint, succeeded: true, TenMinutes);
        var all = await Task.WhenAll(waiters).WaitAsync(Prompt);
        Assert.Equal(2, all.Count(d => d.Outcome == CredentialOutcome.Allowed && d.Coalesced));
        var next = await Check(grain, fingerprint);
        Assert.Equal(CredentialOutcome.Allowed, next.Outcome);
        Assert.True(next.CacheHit);
    }

    [Fact]
    public async Task CheckAsync_PendingVerificationTimedOut_NextCallerGetsOwnTicket()
    {
        var grain = NewUser();
        var fingerprint = NewFingerprint();
        var abandoned = await Check(grain, fingerprint);

        fixture.Time.Advance(PendingTimeout);
        var next = await Check(grain, fingerprint).WaitAsync(Prompt);

        Assert.Equal(CredentialOutcome.VerifyRequired, next.Outcome);
        Assert.NotEqual(abandoned.Ticket, next.Ticket);
        Assert.False(next.Coalesced);
    }

    [Fact]
    public async Task CheckAsync_WaiterArrivesLate_ReleasedAtTheFirstVerifiersDeadline()
    {
        var grain = NewUser();
        var fingerprint = NewFingerprint();
        var abandoned = await Check(grain, fingerprint);
        var elapsed = TimeSpan.FromSeconds(3);
        fixture.Time.Advance(elapsed);

        var waiter = Assert.Single(await StartParkedChecks(grain, fingerprint, 1, PendingTimeout - elapsed));
        fixture.Time.Advance(PendingTimeout - elapsed);
        var decision = await waiter.WaitAsync(Prompt);

        Assert.Equal(CredentialOutcome.VerifyRequired, decision.Outcome);
        Assert.NotEqual(abandoned.Ticket, decision.Ticket);
    }

    [Fact]
    public async Task CheckAsync_SameFingerprintOnAnotherUser_IndependentGrains()
    {
        var alice = NewUser();
        var bob = NewUser();
        var fingerprint = NewFingerprint();
        var aliceFirst = await Check(alice, fingerprint);
        var bobWhileAlicePending = await Check(bob, fingerprint).WaitAsync(Prompt);
        await Report(alice, aliceFirst.Ticket, fingerprint, succeeded: true, TenMinutes);
        await Report(bob, bobWhileAlicePending.Ticket, fingerprint, succeeded: false, TenMinutes);

        var aliceAgain = await Check(alice, fingerprint);
        var bobAgain = await Check(bob, fingerprint).WaitAsync(Prompt);

        Assert.Equal(CredentialOutcome.VerifyRequired, bobWhileAlicePending.Outcome);
        Assert.False(bobWhileAlicePending.Coalesced);
        Assert.Equal(CredentialOutcome.Allowed, aliceAgain.Outcome);
        Assert.True(aliceAgain.CacheHit);
        Assert.Equal(CredentialOutcome.Denied, bobAgain.Outcome); // bob's failure is bob's alone
        Assert.Equal(DenialReason.RepeatedFailure, bobAgain.Reason);
    }

    private IUserGrain NewUser() => fixture.Client.GetGrain<IUserGrain>($"user-{Guid.NewGuid():N}");

    private static byte[] NewFingerprint() => RandomNumberGenerator.GetBytes(32);

    private static Task<CredentialDecision> Check(IUserGrain grain, byte[] fingerprint) =>
        grain.CheckAsync(new CredentialCheck { Fingerprint = fingerprint, ClientAddress = "192.0.2.10" });

    private static Task Report(IUserGrain grain, Guid ticket, byte[] fingerprint, bool succeeded, TimeSpan cacheFor) =>
        grain.ReportAsync(new VerificationReport { Ticket = ticket, Fingerprint = fingerprint, Result = succeeded ? VerificationResult.Succeeded : VerificationResult.Failed, CacheFor = cacheFor, ClientAddress = "192.0.2.10" });

    /// <summary>
    /// Starts <paramref name="count"/> checks and returns once all of them wait inside the grain: each one
    /// parks in <c>WaitAsync(timeout, TimeProvider)</c>, which creates a one-shot timer on the fake clock.
    /// </summary>
    private async Task<Task<CredentialDecision>[]> StartParkedChecks(IUserGrain grain, byte[] fingerprint, int count, TimeSpan remaining)
    {
        var before = fixture.Time.OneShotTimers(remaining);
        var checks = Enumerable.Range(0, count).Select(_ => Check(grain, fingerprint)).ToArray();
        using var timeout = new CancellationTokenSource(Prompt);
        while (fixture.Time.OneShotTimers(remaining) < before + count)
        {
            Assert.All(checks, c => Assert.False(c.IsCompleted, $"a check completed before the verification was reported: {c.Status}"));
            await Task.Delay(10, timeout.Token);
        }

        return checks;
    }
}
