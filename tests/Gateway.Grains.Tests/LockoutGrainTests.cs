using System.Reflection;
using System.Security.Cryptography;
using Gateway.Contracts;
using Gateway.Registry.Policies;
using Orleans.Runtime;

namespace Gateway.Grains.Tests;

/// <summary>
/// Lockouts, address blocks and rate limits as the user and address grains enforce them, driven like an edge does:
/// <c>CheckAsync</c>, then for <see cref="CredentialOutcome.VerifyRequired"/> a <c>ReportAsync</c> with the ticket.
/// Every test uses its own user names and client addresses; the grains' clock is the fixture's fake one.
/// </summary>
[Collection(GrainCluster.Name)]
public sealed class LockoutGrainTests(ClusterFixture fixture)
{
    private const int MaxFailures = ClusterFixture.MaxFailures;

    private static readonly TimeSpan TenMinutes = TimeSpan.FromMinutes(10);

    private static readonly TimeSpan PendingTimeout = VerificationCoalescer.Timeout;

    // Real time allowed for a grain call that should answer promptly (the grains' own clock is fake).
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(15);

    private static int _addresses;

    private DateTimeOffset Now => fixture.Time.GetUtcNow();

    // ---- pair lockout -------------------------------------------------------------------------------------------

    [Fact]
    public async Task CheckAsync_MaxFailuresFromOneAddress_PairLockedEvenWithTheRightPasswordButNotElsewhere()
    {
        var user = NewUser();
        var good = NewFingerprint();
        var attacked = NewAddress();
        var elsewhere = NewAddress();
        await Authenticate(user, good, attacked, TenMinutes);

        for (var i = 0; i < MaxFailures; i++)
        {
            var fingerprint = NewFingerprint();
            var check = await Check(user, fingerprint, attacked);
            Assert.Equal(CredentialOutcome.VerifyRequired, check.Outcome);

            // The failure that reaches the threshold is still answered as a plain denial (401), not a lock.
            var report = await Report(user, check.Ticket, fingerprint, attacked, succeeded: false);
            Assert.Equal(CredentialOutcome.Denied, report.Outcome);
        }

        var lockedAt = Now;
        var wrong = await Check(user, NewFingerprint(), attacked);
        var right = await Check(user, good, attacked);
        var rightElsewhere = await Check(user, good, elsewhere);
        var wrongElsewhere = await Check(user, NewFingerprint(), elsewhere);

        foreach (var locked in new[] { wrong, right })
        {
            Assert.Equal(CredentialOutcome.Locked, locked.Outcome);
            Assert.Equal(DenialReason.PairLocked, locked.Reason);
            Assert.Equal(ClusterFixture.LockDuration, locked.RetryAfter);
            Assert.Equal(lockedAt + ClusterFixture.LockDuration, locked.LockedUntil);
            Assert.Equal(MaxFailures, locked.Failures);
            Assert.Equal(Guid.Empty, locked.Ticket); // no password check for a locked pair
            Assert.False(locked.CacheHit);           // and no hint whether the password was right
        }

        Assert.Equal(CredentialOutcome.Allowed, rightElsewhere.Outcome);
        Assert.True(rightElsewhere.CacheHit);
        Assert.Equal(CredentialOutcome.VerifyRequired, wrongElsewhere.Outcome);
    }

    [Fact]
    public async Task CheckAsync_FailuresFromAddressesInOneIPv6Slash64_CountedAsOneAddress()
    {
        var user = NewUser();
        var prefix = NewIPv6Prefix();
        for (var i = 0; i < MaxFailures; i++)
        {
            await Fail(user, $"{prefix}::{i + 1:x}");
        }

        var sameNetwork = await Check(user, NewFingerprint(), $"{prefix}:dead:beef:0:1");
        var otherNetwork = await Check(user, NewFingerprint(), $"{NewIPv6Prefix()}::1");

        Assert.Equal(CredentialOutcome.Locked, sameNetwork.Outcome);
        Assert.Equal(DenialReason.PairLocked, sameNetwork.Reason);
        Assert.Equal(CredentialOutcome.VerifyRequired, otherNetwork.Outcome);
    }

    [Fact]
    public async Task CheckAsync_ManyConcurrentWrongPasswordsForFreshPair_AtMostMaxFailuresVerificationsRestLocked()
    {
        var user = NewUser();
        var address = NewAddress();
        var count = MaxFailures * 5;
        var timersBefore = fixture.Time.OneShotTimers(PendingTimeout);

        var fingerprints = Enumerable.Range(0, count).Select(_ => NewFingerprint()).ToArray();
        var calls = fingerprints.Select(f => Check(user, f, address)).ToArray();

        // MaxFailures calls get a ticket at once; every other one parks, waiting for a verification in flight.
        using (var timeout = new CancellationTokenSource(Prompt))
        {
            while (calls.Count(c => c.IsCompleted) < MaxFailures || fixture.Time.OneShotTimers(PendingTimeout) < timersBefore + count - MaxFailures)
            {
                await Task.Delay(10, timeout.Token);
            }
        }

        await Task.Delay(200);
        Assert.Equal(MaxFailures, calls.Count(c => c.IsCompleted));
        foreach (var first in calls.Where(c => c.IsCompleted))
        {
            Assert.Equal(CredentialOutcome.VerifyRequired, (await first).Outcome);
        }

        // Act as the edges: report every ticket as a failed verification as soon as it is handed out.
        var reported = new HashSet<Task<CredentialDecision>>();
        var reports = new List<CredentialDecision>();
        while (true)
        {
            for (var i = 0; i < count; i++)
            {
                if (calls[i].IsCompleted && reported.Add(calls[i]) && (await calls[i]) is { Outcome: CredentialOutcome.VerifyRequired } ticket)
                {
                    reports.Add(await Report(user, ticket.Ticket, fingerprints[i], address, succeeded: false));
                }
            }

            if (calls.All(c => c.IsCompleted))
            {
                break;
            }

            await Task.WhenAny(calls.Where(c => !c.IsCompleted)).WaitAsync(Prompt);
        }

        var decisions = await Task.WhenAll(calls);
        Assert.Equal(MaxFailures, decisions.Count(d => d.Outcome == CredentialOutcome.VerifyRequired));
        Assert.All(reports, r => Assert.Equal(CredentialOutcome.Denied, r.Outcome));
        Assert.All(decisions.Where(d => d.Outcome != CredentialOutcome.VerifyRequired), d =>
        {
            Assert.Equal(CredentialOutcome.Locked, d.Outcome);
            Assert.Equal(DenialReason.PairLocked, d.Reason);
        });
        Assert.Equal(count - MaxFailures, decisions.Count(d => d.Outcome == CredentialOutcome.Locked));
    }

    [Fact]
    public async Task CheckAsync_ConcurrentChecksOfOneWrongPassword_OneVerificationCountedAsOneFailure()
    {
        var user = NewUser();
        var address = NewAddress();
        var wrong = NewFingerprint();
        var first = await Check(user, wrong, address);
        var timersBefore = fixture.Time.OneShotTimers(PendingTimeout);
        var waiters = Enumerable.Range(0, 10).Select(_ => Check(user, wrong, address)).ToArray();
        using (var timeout = new CancellationTokenSource(Prompt))
        {
            while (fixture.Time.OneShotTimers(PendingTimeout) < timersBefore + waiters.Length)
            {
                await Task.Delay(10, timeout.Token);
            }
        }

        await Report(user, first.Ticket, wrong, address, succeeded: false);
        var decisions = await Task.WhenAll(waiters).WaitAsync(Prompt);
        var status = await user.GetStatusAsync();

        Assert.All(decisions, d => Assert.Equal(CredentialOutcome.Denied, d.Outcome));
        Assert.Equal(1, Assert.Single(status.Addresses, a => a.Address == address).Failures);
        Assert.Equal(1, status.Failures);
    }

    [Fact]
    public async Task CheckAsync_LockExpires_VerifyRequiredAgainAndNextLockTwiceAsLong()
    {
        var user = NewUser();
        var address = NewAddress();
        await FailUntilLocked(user, address);

        fixture.Time.Advance(ClusterFixture.LockDuration - TimeSpan.FromSeconds(1));
        var stillLocked = await Check(user, NewFingerprint(), address);
        fixture.Time.Advance(TimeSpan.FromSeconds(1));
        var wrong = NewFingerprint();
        var expired = await Check(user, wrong, address);
        await Report(user, expired.Ticket, wrong, address, succeeded: false);
        for (var i = 1; i < MaxFailures; i++)
        {
            await Fail(user, address);
        }

        var secondLockAt = Now;
        var second = await Check(user, NewFingerprint(), address);
        var status = await user.GetStatusAsync();

        Assert.Equal(CredentialOutcome.Locked, stillLocked.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(1), stillLocked.RetryAfter);
        Assert.Equal(CredentialOutcome.VerifyRequired, expired.Outcome);
        Assert.Equal(CredentialOutcome.Locked, second.Outcome);
        Assert.Equal(DenialReason.PairLocked, second.Reason);
        Assert.Equal(2 * ClusterFixture.LockDuration, second.RetryAfter);
        Assert.Equal(secondLockAt + (2 * ClusterFixture.LockDuration), second.LockedUntil);
        Assert.Equal(2, Assert.Single(status.Addresses, a => a.Address == address).Locks);

        // A third lock right after the second: four times as long.
        fixture.Time.Advance(2 * ClusterFixture.LockDuration);
        await FailUntilLocked(user, address);
        var third = await Check(user, NewFingerprint(), address);
        Assert.Equal(4 * ClusterFixture.LockDuration, third.RetryAfter);
    }

    [Fact]
    public async Task ReportAsync_SuccessBetweenFailures_PairCountStartsOver()
    {
        var user = NewUser();
        var address = NewAddress();
        for (var i = 0; i < MaxFailures - 1; i++)
        {
            await Fail(user, address);
        }

        await Authenticate(user, NewFingerprint(), address, TimeSpan.Zero);
        for (var i = 0; i < MaxFailures - 1; i++)
        {
            await Fail(user, address);
        }

        var status = await user.GetStatusAsync();
        var next = await Check(user, NewFingerprint(), address);

        var pair = Assert.Single(status.Addresses, a => a.Address == address);
        Assert.Equal(MaxFailures - 1, pair.Failures);
        Assert.Null(pair.LockedUntil);
        Assert.Equal(CredentialOutcome.VerifyRequired, next.Outcome);
    }

    // ---- repeated wrong credentials -----------------------------------------------------------------------------

    [Fact]
    public async Task CheckAsync_SameWrongPasswordRepeatedFromOneAddress_DeniedWithoutVerificationCountedOnce()
    {
        var user = NewUser();
        var address = NewAddress();
        var wrong = NewFingerprint();
        var first = await Check(user, wrong, address);
        await Report(user, first.Ticket, wrong, address, succeeded: false);

        // containerd resends a refused Basic credential five times; a CI job polls with a stale one: ten times more.
        var repeats = new List<CredentialDecision>();
        for (var i = 0; i < 10 * MaxFailures; i++)
        {
            repeats.Add(await Check(user, wrong, address));
        }

        var status = await user.GetStatusAsync();
        Assert.All(repeats, d =>
        {
            Assert.Equal(CredentialOutcome.Denied, d.Outcome);
            Assert.Equal(DenialReason.RepeatedFailure, d.Reason);
            Assert.Equal(Guid.Empty, d.Ticket); // no password check
            Assert.False(d.CacheHit);
        });
        Assert.Equal(1, Assert.Single(status.Addresses, a => a.Address == address).Failures);
        Assert.Equal(1, status.Failures);
        Assert.Null(status.Addresses.Single(a => a.Address == address).LockedUntil);
    }

    [Fact]
    public async Task CheckAsync_OneWrongPasswordRepeatedThenTheRightOne_RightOneVerifiedAtOnce()
    {
        var user = NewUser();
        var address = NewAddress();
        var wrong = NewFingerprint();
        var good = NewFingerprint();
        var first = await Check(user, wrong, address);
        await Report(user, first.Ticket, wrong, address, succeeded: false);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(DenialReason.RepeatedFailure, (await Check(user, wrong, address)).Reason);
        }

        var right = await Check(user, good, address);
        var verified = await Report(user, right.Ticket, good, address, succeeded: true, TenMinutes);

        Assert.Equal(CredentialOutcome.VerifyRequired, right.Outcome);
        Assert.Equal(CredentialOutcome.Allowed, verified.Outcome);
    }

    [Fact]
    public async Task CheckAsync_MaxFailuresDistinctWrongPasswordsEachRepeated_LockAfterExactlyMaxFailures()
    {
        var user = NewUser();
        var address = NewAddress();
        for (var i = 0; i < MaxFailures; i++)
        {
            var wrong = NewFingerprint();
            var check = await Check(user, wrong, address);
            Assert.Equal(CredentialOutcome.VerifyRequired, check.Outcome);
            await Report(user, check.Ticket, wrong, address, succeeded: false);
            if (i < MaxFailures - 1)
            {
                // Repeats between the distinct guesses do not bring the lock closer.
                Assert.Equal(DenialReason.RepeatedFailure, (await Check(user, wrong, address)).Reason);
                Assert.Equal(i + 1, (await user.GetStatusAsync()).Failures);
            }
        }

        var locked = await Check(user, NewFingerprint(), address);
        Assert.Equal(CredentialOutcome.Locked, locked.Outcome);
        Assert.Equal(DenialReason.PairLocked, locked.Reason);
        Assert.Equal(MaxFailures, locked.Failures);
    }

    [Fact]
    public async Task CheckAsync_WrongPasswordRepeatedFromAnotherAddress_VerifiedAndCounted()
    {
        var user = NewUser();
        var first = NewAddress();
        var second = NewAddress();
        var wrong = NewFingerprint();
        var check = await Check(user, wrong, first);
        await Report(user, check.Ticket, wrong, first, succeeded: false);

        var elsewhere = await Check(user, wrong, second);

        Assert.Equal(CredentialOutcome.VerifyRequired, elsewhere.Outcome);
    }

    [Fact]
    public async Task CheckAsync_WrongPasswordRepeatedAfterTheWindow_VerifiedAndCountedAgain()
    {
        var user = NewUser();
        var address = NewAddress();
        var wrong = NewFingerprint();
        var check = await Check(user, wrong, address);
        await Report(user, check.Ticket, wrong, address, succeeded: false);

        fixture.Time.Advance(ClusterFixture.LockWindow - TimeSpan.FromSeconds(1));
        var within = await Check(user, wrong, address);
        fixture.Time.Advance(TimeSpan.FromSeconds(1));
        var after = await Check(user, wrong, address);
        await Report(user, after.Ticket, wrong, address, succeeded: false);
        var status = await user.GetStatusAsync();

        Assert.Equal(DenialReason.RepeatedFailure, within.Reason);
        Assert.Equal(CredentialOutcome.VerifyRequired, after.Outcome);
        Assert.Equal(1, Assert.Single(status.Addresses, a => a.Address == address).Failures); // the first left the window
    }

    [Fact]
    public async Task UnlockAsync_AfterAWrongPassword_TheSameCredentialIsVerifiedAgain()
    {
        var user = NewUser();
        var address = NewAddress();
        var wrong = NewFingerprint();
        var check = await Check(user, wrong, address);
        await Report(user, check.Ticket, wrong, address, succeeded: false);

        await user.UnlockAsync(address);
        var again = await Check(user, wrong, address);

        Assert.Equal(CredentialOutcome.VerifyRequired, again.Outcome);
    }

    [Fact]
    public async Task CheckAsync_RepeatedWrongPasswordFromABlockedAddress_AnsweredAsTheBlock()
    {
        var address = NewAddress();
        var user = NewUser();
        var wrong = NewFingerprint();
        var check = await Check(user, wrong, address);
        await Report(user, check.Ticket, wrong, address, succeeded: false);
        for (var i = 1; i < ClusterFixture.MaxFailuresPerAddress; i++)
        {
            await Fail(NewUser(), address);
        }

        var repeat = await Check(user, wrong, address);

        Assert.Equal(CredentialOutcome.Locked, repeat.Outcome);
        Assert.Equal(DenialReason.AddressBlocked, repeat.Reason);
    }

    // ---- user-wide lockout --------------------------------------------------------------------------------------

    [Fact]
    public async Task CheckAsync_MaxFailuresPerUserOverManyAddresses_UserLockedExceptWhereItAuthenticatedBefore()
    {
        var user = NewUser();
        var good = NewFingerprint();
        var runner = NewAddress();      // authenticated before the attack
        var lateComer = NewAddress();   // authenticated only after the failures began
        var attackers = Enumerable.Range(0, 3).Select(_ => NewAddress()).ToArray();
        await Authenticate(user, good, runner, TimeSpan.Zero);
        fixture.Time.Advance(TimeSpan.FromSeconds(1));

        await Fail(user, attackers[0]);
        fixture.Time.Advance(TimeSpan.FromSeconds(1));
        await Authenticate(user, good, lateComer, TimeSpan.Zero);
        fixture.Time.Advance(TimeSpan.FromSeconds(1));

        // MaxFailuresPerUser failures in all, fewer than MaxFailures from any one address.
        var failures = 1;
        for (var i = 1; failures < ClusterFixture.MaxFailuresPerUser; i++)
        {
            var report = await Fail(user, attackers[i % attackers.Length]);
            Assert.Equal(CredentialOutcome.Denied, report.Outcome);
            failures++;
        }

        var lockedAt = Now;
        var newAddress = await Check(user, good, NewAddress());
        var attacker = await Check(user, good, attackers[0]);
        var late = await Check(user, good, lateComer);
        var runnerCheck = await Check(user, good, runner);
        var runnerReport = await Report(user, runnerCheck.Ticket, good, runner, succeeded: true, TenMinutes);
        var runnerCached = await Check(user, good, runner);
        var runnerOtherPassword = await Check(user, NewFingerprint(), runner);
        var status = await user.GetStatusAsync();

        foreach (var locked in new[] { newAddress, attacker, late })
        {
            Assert.Equal(CredentialOutcome.Locked, locked.Outcome);
            Assert.Equal(DenialReason.UserLocked, locked.Reason);
            Assert.Equal(ClusterFixture.LockDuration, locked.RetryAfter);
            Assert.Equal(lockedAt + ClusterFixture.LockDuration, locked.LockedUntil);
            Assert.Equal(ClusterFixture.MaxFailuresPerUser, locked.Failures);
        }

        Assert.Equal(CredentialOutcome.VerifyRequired, runnerCheck.Outcome);
        Assert.Equal(CredentialOutcome.Allowed, runnerReport.Outcome);
        Assert.Equal(CredentialOutcome.Allowed, runnerCached.Outcome);
        Assert.True(runnerCached.CacheHit);
        Assert.Equal(CredentialOutcome.VerifyRequired, runnerOtherPassword.Outcome);
        Assert.Equal(lockedAt + ClusterFixture.LockDuration, status.LockedUntil);
        Assert.Contains(runner, status.KnownGoodAddresses);
    }

    [Fact]
    public async Task CheckAsync_KnownGoodAddressReauthenticatesDuringUserLock_StaysExempt()
    {
        var user = NewUser();
        var good = NewFingerprint();
        var runner = NewAddress();
        var attackers = Enumerable.Range(0, 3).Select(_ => NewAddress()).ToArray();
        await Authenticate(user, good, runner, TenMinutes);

        // The attack begins just under an hour after the runner's success; the user is locked for LockDuration.
        fixture.Time.Advance(TimeSpan.FromMinutes(59));
        for (var i = 0; i < ClusterFixture.MaxFailuresPerUser; i++)
        {
            await Fail(user, attackers[i % attackers.Length]);
        }

        // The runner's cached credential has run out: it verifies again, successfully, while the user is locked.
        fixture.Time.Advance(TimeSpan.FromMinutes(2));
        var reverify = await Check(user, good, runner);
        var reverified = await Report(user, reverify.Ticket, good, runner, succeeded: true, TenMinutes);
        var next = await Check(user, good, runner);

        Assert.Equal(CredentialOutcome.VerifyRequired, reverify.Outcome);
        Assert.Equal(CredentialOutcome.Allowed, reverified.Outcome);
        Assert.Equal(CredentialOutcome.Allowed, next.Outcome);
    }

    [Fact]
    public async Task UnlockAsync_NullAfterUserLock_EveryAddressMayVerifyAgain()
    {
        var user = NewUser();
        for (var i = 0; i < ClusterFixture.MaxFailuresPerUser; i++)
        {
            await Fail(user, NewAddress());
        }

        var before = await Check(user, NewFingerprint(), NewAddress());
        var status = await user.UnlockAsync(null);
        var after = await Check(user, NewFingerprint(), NewAddress());

        Assert.Equal(DenialReason.UserLocked, before.Reason);
        Assert.Null(status.LockedUntil);
        Assert.Equal(0, status.Failures);
        Assert.Empty(status.Addresses);
        Assert.Equal(CredentialOutcome.VerifyRequired, after.Outcome);
    }

    // ---- address block ------------------------------------------------------------------------------------------

    [Fact]
    public async Task CheckAsync_MaxFailuresPerAddressAcrossUserNames_AddressBlockedForEveryUser()
    {
        var spraying = NewAddress();
        var other = NewAddress();
        for (var i = 0; i < ClusterFixture.MaxFailuresPerAddress; i++)
        {
            var report = await Fail(NewUser(), spraying);
            Assert.Equal(CredentialOutcome.Denied, report.Outcome);
        }

        var blockedAt = Now;
        var victim = NewUser();
        var fromSpraying = await Check(victim, NewFingerprint(), spraying);
        var fromOther = await Check(victim, NewFingerprint(), other);
        var addressGrain = fixture.Client.GetGrain<IAddressGrain>(ClientAddressKey.For(spraying));
        var blocked = await addressGrain.GetStatusAsync();
        var unblocked = await addressGrain.UnblockAsync();
        var afterUnblock = await Check(victim, NewFingerprint(), spraying);

        Assert.Equal(CredentialOutcome.Locked, fromSpraying.Outcome);
        Assert.Equal(DenialReason.AddressBlocked, fromSpraying.Reason);
        Assert.Equal(ClusterFixture.LockDuration, fromSpraying.RetryAfter);
        Assert.Equal(blockedAt + ClusterFixture.LockDuration, fromSpraying.LockedUntil);
        Assert.Equal(ClusterFixture.MaxFailuresPerAddress, fromSpraying.Failures);
        Assert.Equal(Guid.Empty, fromSpraying.Ticket);
        Assert.Equal(CredentialOutcome.VerifyRequired, fromOther.Outcome);

        Assert.Equal(spraying, blocked.Address);
        Assert.True(blocked.IsBlocked);
        Assert.Equal(blockedAt + ClusterFixture.LockDuration, blocked.BlockedUntil);
        Assert.Equal(1, blocked.Blocks);
        Assert.False(unblocked.IsBlocked);
        Assert.Equal(0, unblocked.Failures);
        Assert.Equal(CredentialOutcome.VerifyRequired, afterUnblock.Outcome);
    }

    [Fact]
    public async Task AddressGrain_FailuresBelowMax_CountedNotBlocked()
    {
        var address = NewAddress();
        for (var i = 0; i < ClusterFixture.MaxFailuresPerAddress - 1; i++)
        {
            await Fail(NewUser(), address);
        }

        var status = await fixture.Client.GetGrain<IAddressGrain>(ClientAddressKey.For(address)).GetStatusAsync();
        var next = await Check(NewUser(), NewFingerprint(), address);

        Assert.Equal(ClusterFixture.MaxFailuresPerAddress - 1, status.Failures);
        Assert.False(status.IsBlocked);
        Assert.Equal(CredentialOutcome.VerifyRequired, next.Outcome);
    }

    // ---- rate limits --------------------------------------------------------------------------------------------

    [Fact]
    public async Task CheckAsync_SequentialCachedRequestsOverLimit_ExactlyLimitAllowedThenRequestLimit()
    {
        var user = NewUser();
        var good = NewFingerprint();
        var address = NewAddress();
        await Authenticate(user, good, address, TenMinutes);
        fixture.Time.Advance(ClusterFixture.RequestWindow); // a fresh request window; the credential stays cached

        var decisions = new List<CredentialDecision>();
        for (var i = 0; i < ClusterFixture.RequestLimit + 5; i++)
        {
            decisions.Add(await Check(user, good, address));
        }

        Assert.All(decisions.Take(ClusterFixture.RequestLimit), d =>
        {
            Assert.Equal(CredentialOutcome.Allowed, d.Outcome);
            Assert.True(d.CacheHit);
        });
        Assert.All(decisions.Skip(ClusterFixture.RequestLimit), d =>
        {
            Assert.Equal(CredentialOutcome.RateLimited, d.Outcome);
            Assert.Equal(DenialReason.RequestLimit, d.Reason);
            Assert.True(d.RetryAfter > TimeSpan.Zero && d.RetryAfter <= ClusterFixture.RequestWindow, $"RetryAfter {d.RetryAfter}");
            Assert.Equal(ClusterFixture.RequestLimit, d.Limit);
            Assert.Equal(ClusterFixture.RequestWindow, d.Window);
        });
    }

    [Fact]
    public async Task CheckAsync_RequestLimitReached_NewWindowRestoresBudget()
    {
        var user = NewUser();
        var good = NewFingerprint();
        var address = NewAddress();
        await Authenticate(user, good, address, TenMinutes);
        fixture.Time.Advance(ClusterFixture.RequestWindow);
        for (var i = 0; i < ClusterFixture.RequestLimit; i++)
        {
            await Check(user, good, address);
        }

        fixture.Time.Advance(TimeSpan.FromSeconds(20));
        var refused = await Check(user, good, address);
        fixture.Time.Advance(refused.RetryAfter);
        var after = await Check(user, good, address);

        Assert.Equal(CredentialOutcome.RateLimited, refused.Outcome);
        Assert.Equal(ClusterFixture.RequestWindow - TimeSpan.FromSeconds(20), refused.RetryAfter);
        Assert.Equal(CredentialOutcome.Allowed, after.Outcome);
        Assert.Equal(ClusterFixture.RequestLimit - 1, (await user.GetStatusAsync()).RequestsRemaining);
    }

    [Fact]
    public async Task CheckAsync_ConcurrentCachedRequestsThreeTimesLimit_ExactlyLimitAllowed()
    {
        var user = NewUser();
        var good = NewFingerprint();
        var address = NewAddress();
        await Authenticate(user, good, address, TenMinutes);
        fixture.Time.Advance(ClusterFixture.RequestWindow);

        var decisions = await Task.WhenAll(Enumerable.Range(0, 3 * ClusterFixture.RequestLimit).Select(_ => Check(user, good, address))).WaitAsync(Prompt);

        Assert.Equal(ClusterFixture.RequestLimit, decisions.Count(d => d.Outcome == CredentialOutcome.Allowed));
        Assert.Equal(2 * ClusterFixture.RequestLimit, decisions.Count(d => d.Outcome == CredentialOutcome.RateLimited && d.Reason == DenialReason.RequestLimit));
    }

    [Fact]
    public async Task ReportAsync_VerifiedRequest_CountsAgainstRequestLimit()
    {
        var user = NewUser();
        var good = NewFingerprint();
        var address = NewAddress();

        await Authenticate(user, good, address, TenMinutes);
        var status = await user.GetStatusAsync();

        Assert.Equal(ClusterFixture.RequestLimit - 1, status.RequestsRemaining);
        Assert.True(status.CredentialCached);
    }

    [Fact]
    public async Task CheckAsync_ManifestGetsAndHeads_GetsCountPullsHeadsOnlyReportThem()
    {
        var user = NewUser();
        var good = NewFingerprint();
        var address = NewAddress();
        await Authenticate(user, good, address, TimeSpan.FromDays(1));

        var headFirst = await Check(user, good, address, RequestKind.ManifestHead);
        var gets = new List<CredentialDecision>();
        for (var i = 0; i < ClusterFixture.PullLimit; i++)
        {
            gets.Add(await Check(user, good, address, RequestKind.ManifestGet));
        }

        var headAtLimit = await Check(user, good, address, RequestKind.ManifestHead);
        var overLimit = await Check(user, good, address, RequestKind.ManifestGet);
        var otherRequest = await Check(user, good, address, RequestKind.Other);

        Assert.Equal(CredentialOutcome.Allowed, headFirst.Outcome);
        Assert.Equal(new PullBudget { Limit = ClusterFixture.PullLimit, Remaining = ClusterFixture.PullLimit, Window = ClusterFixture.PullWindow }, headFirst.Pulls);
        Assert.All(gets, g => Assert.Equal(CredentialOutcome.Allowed, g.Outcome));
        Assert.Equal(Enumerable.Range(0, ClusterFixture.PullLimit).Reverse(), gets.Select(g => g.Pulls!.Remaining));
        Assert.All(gets, g => Assert.Equal(ClusterFixture.PullLimit, g.Pulls!.Limit));
        Assert.Equal(CredentialOutcome.Allowed, headAtLimit.Outcome);
        Assert.Equal(0, headAtLimit.Pulls!.Remaining);
        Assert.Equal(CredentialOutcome.RateLimited, overLimit.Outcome);
        Assert.Equal(DenialReason.PullLimit, overLimit.Reason);
        Assert.Equal(0, overLimit.Pulls!.Remaining);
        Assert.Equal(ClusterFixture.PullLimit, overLimit.Limit);
        Assert.Equal(ClusterFixture.PullWindow, overLimit.Window);
        Assert.True(overLimit.RetryAfter > TimeSpan.Zero && overLimit.RetryAfter <= ClusterFixture.PullWindow, $"RetryAfter {overLimit.RetryAfter}");
        Assert.Equal(CredentialOutcome.Allowed, otherRequest.Outcome);
        Assert.Null(otherRequest.Pulls);
    }

    [Fact]
    public async Task CheckAsync_PullLimitReachedThenWindowPasses_BudgetRestored()
    {
        var user = NewUser();
        var good = NewFingerprint();
        var address = NewAddress();
        await Authenticate(user, good, address, TimeSpan.FromDays(1));
        for (var i = 0; i < ClusterFixture.PullLimit; i++)
        {
            await Check(user, good, address, RequestKind.ManifestGet);
        }

        var refused = await Check(user, good, address, RequestKind.ManifestGet);
        fixture.Time.Advance(ClusterFixture.PullWindow);
        var head = await Check(user, good, address, RequestKind.ManifestHead);
        var get = await Check(user, good, address, RequestKind.ManifestGet);

        Assert.Equal(DenialReason.PullLimit, refused.Reason);
        Assert.Equal(ClusterFixture.PullLimit, head.Pulls!.Remaining);
        Assert.Equal(CredentialOutcome.Allowed, get.Outcome);
        Assert.Equal(ClusterFixture.PullLimit - 1, get.Pulls!.Remaining);
    }

    [Fact]
    public async Task ReportAsync_VerifiedManifestGet_CountsAsAPull()
    {
        var user = NewUser();
        var good = NewFingerprint();
        var address = NewAddress();
        var check = await Check(user, good, address, RequestKind.ManifestGet);

        var report = await Report(user, check.Ticket, good, address, succeeded: true, TenMinutes, RequestKind.ManifestGet);

        Assert.Equal(CredentialOutcome.Allowed, report.Outcome);
        Assert.Equal(ClusterFixture.PullLimit - 1, report.Pulls!.Remaining);
        Assert.Equal(ClusterFixture.PullLimit - 1, (await user.GetStatusAsync()).PullsRemaining);
    }

    // ---- operators ----------------------------------------------------------------------------------------------

    [Fact]
    public async Task GetStatusAsync_FailuresAndLocks_ShownPerAddress()
    {
        var user = NewUser();
        var locked = NewAddress();
        var failing = NewAddress();
        var lockedAt = await FailUntilLocked(user, locked);
        await Fail(user, failing);
        await Fail(user, failing);

        var status = await user.GetStatusAsync();

        Assert.Equal(user.GetPrimaryKeyString(), status.User);
        Assert.Equal(MaxFailures + 2, status.Failures);
        Assert.Null(status.LockedUntil);
        var lockedPair = Assert.Single(status.Addresses, a => a.Address == locked);
        Assert.Equal(lockedAt + ClusterFixture.LockDuration, lockedPair.LockedUntil);
        Assert.Equal(1, lockedPair.Locks);
        var failingPair = Assert.Single(status.Addresses, a => a.Address == failing);
        Assert.Equal(2, failingPair.Failures);
        Assert.Null(failingPair.LockedUntil);
        Assert.Equal(0, failingPair.Locks);
        Assert.Empty(status.KnownGoodAddresses);
        Assert.False(status.CredentialCached);
    }

    [Fact]
    public async Task UnlockAsync_OneAddress_ClearsThatPairOnly()
    {
        // One locked pair and one with failures: together fewer than MaxFailuresPerUser, so no user-wide lock.
        var user = NewUser();
        var first = NewAddress();
        var second = NewAddress();
        await FailUntilLocked(user, first);
        await Fail(user, second);
        await Fail(user, second);

        var status = await user.UnlockAsync(first);
        var fromFirst = await Check(user, NewFingerprint(), first);

        Assert.DoesNotContain(status.Addresses, a => a.Address == first);
        Assert.Equal(2, Assert.Single(status.Addresses, a => a.Address == second).Failures);
        Assert.Equal(CredentialOutcome.VerifyRequired, fromFirst.Outcome);
    }

    [Fact]
    public async Task UnlockAsync_Null_ClearsEveryPair()
    {
        var user = NewUser();
        var first = NewAddress();
        var second = NewAddress();
        await FailUntilLocked(user, first);
        await Fail(user, second);

        var status = await user.UnlockAsync(null);
        var fromFirst = await Check(user, NewFingerprint(), first);
        var fromSecond = await Check(user, NewFingerprint(), second);

        Assert.Empty(status.Addresses);
        Assert.Equal(0, status.Failures);
        Assert.Equal(CredentialOutcome.VerifyRequired, fromFirst.Outcome);
        Assert.Equal(CredentialOutcome.VerifyRequired, fromSecond.Outcome);
    }

    // ---- persistence --------------------------------------------------------------------------------------------

    [Fact]
    public async Task CheckAsync_GrainDeactivatedAfterLock_LockSurvivesCacheDoesNot()
    {
        var user = NewUser();
        var good = NewFingerprint();
        var attacked = NewAddress();
        var elsewhere = NewAddress();
        await Authenticate(user, good, elsewhere, TimeSpan.FromDays(1));
        var lockedAt = await FailUntilLocked(user, attacked);
        var cachedBefore = await Check(user, good, elsewhere);

        await fixture.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var locked = await Check(user, good, attacked);
        var cache = await Check(user, good, elsewhere);

        Assert.Equal(CredentialOutcome.Allowed, cachedBefore.Outcome);
        Assert.True(cachedBefore.CacheHit);
        Assert.Equal(CredentialOutcome.Locked, locked.Outcome);
        Assert.Equal(DenialReason.PairLocked, locked.Reason);
        Assert.Equal(lockedAt + ClusterFixture.LockDuration, locked.LockedUntil);
        Assert.Equal(CredentialOutcome.VerifyRequired, cache.Outcome); // a new activation: the cache is gone
    }

    [Fact]
    public async Task AddressGrain_DeactivatedAfterBlock_BlockSurvives()
    {
        var address = NewAddress();
        for (var i = 0; i < ClusterFixture.MaxFailuresPerAddress; i++)
        {
            await Fail(NewUser(), address);
        }

        await fixture.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var status = await fixture.Client.GetGrain<IAddressGrain>(ClientAddressKey.For(address)).GetStatusAsync();
        var check = await Check(NewUser(), NewFingerprint(), address);

        Assert.True(status.IsBlocked);
        Assert.Equal(DenialReason.AddressBlocked, check.Reason);
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private IUserGrain NewUser() => fixture.Client.GetGrain<IUserGrain>($"lockout-{Guid.NewGuid():N}");

    private static byte[] NewFingerprint() => RandomNumberGenerator.GetBytes(32);

    /// <summary>A client address no other test uses (198.18.0.0/15, the benchmarking range).</summary>
    private static string NewAddress()
    {
        var n = Interlocked.Increment(ref _addresses);
        return $"198.{18 + ((n >> 16) & 1)}.{(n >> 8) & 255}.{n & 255}";
    }

    /// <summary>An IPv6 /64 prefix (four groups) no other test uses.</summary>
    private static string NewIPv6Prefix() => $"2001:db8:{Interlocked.Increment(ref _addresses):x}:1";

    private static Task<CredentialDecision> Check(IUserGrain user, byte[] fingerprint, string address, RequestKind kind = RequestKind.Other) =>
        user.CheckAsync(new CredentialCheck { Fingerprint = fingerprint, ClientAddress = address, Kind = kind });

    private static Task<CredentialDecision> Report(
        IUserGrain user, Guid ticket, byte[] fingerprint, string address, bool succeeded, TimeSpan? cacheFor = null, RequestKind kind = RequestKind.Other) =>
        user.ReportAsync(new VerificationReport
        {
            Ticket = ticket,
            Fingerprint = fingerprint,
            Result = succeeded ? VerificationResult.Succeeded : VerificationResult.Failed,
            CacheFor = cacheFor ?? TenMinutes,
            ClientAddress = address,
            Kind = kind,
        });

    /// <summary>A successful verification, as an edge runs it: check, bcrypt accepts, report.</summary>
    private static async Task<CredentialDecision> Authenticate(IUserGrain user, byte[] fingerprint, string address, TimeSpan cacheFor)
    {
        var check = await Check(user, fingerprint, address);
        Assert.Equal(CredentialOutcome.VerifyRequired, check.Outcome);
        var report = await Report(user, check.Ticket, fingerprint, address, succeeded: true, cacheFor);
        Assert.Equal(CredentialOutcome.Allowed, report.Outcome);
        return report;
    }

    /// <summary>A failed verification of a wrong password, as an edge runs it: check, bcrypt refuses, report.</summary>
    private static async Task<CredentialDecision> Fail(IUserGrain user, string address)
    {
        var fingerprint = NewFingerprint();
        var check = await Check(user, fingerprint, address);
        Assert.Equal(CredentialOutcome.VerifyRequired, check.Outcome);
        return await Report(user, check.Ticket, fingerprint, address, succeeded: false);
    }

    /// <summary>MaxFailures failed verifications from one address; answers when the lock began.</summary>
    private async Task<DateTimeOffset> FailUntilLocked(IUserGrain user, string address)
    {
        for (var i = 0; i < MaxFailures; i++)
        {
            await Fail(user, address);
        }

        var lockedAt = Now;
        Assert.Equal(DenialReason.PairLocked, (await Check(user, NewFingerprint(), address)).Reason);
        return lockedAt;
    }
}
