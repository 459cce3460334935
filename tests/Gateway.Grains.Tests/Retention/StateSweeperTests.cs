using Gateway.Contracts;
using Gateway.Grains.Retention;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Grains.Tests.Retention;

/// <summary>
/// Storage stays bounded under spraying: what the grains store for names that only ever failed is deleted by the
/// sweeper once their window ends; a real user's known-good addresses stay; a lock stays while it can still double.
/// </summary>
public sealed class StateSweeperTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private StateSweeper Sweeper => fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<StateSweeper>();

    [Fact]
    public async Task SweepOnce_SprayedNamesAfterTheWindow_StorageAndIndexBackToBefore()
    {
        var before = fixture.Store.Count;
        var names = Enumerable.Range(0, 300).Select(i => $"spray-{Guid.NewGuid():N}").ToList();
        var address = GrainDriver.NewAddress();
        for (var i = 0; i < names.Count; i++)
        {
            if (i % (ClusterFixture.MaxFailuresPerAddress - 1) == 0)
            {
                address = GrainDriver.NewAddress(); // stay under the address block: this test is about the names
            }

            Assert.Equal(CredentialOutcome.Denied, (await GrainDriver.Fail(fixture.Client.GetGrain<IUserGrain>(names[i]), address)).Outcome);
        }

        var during = fixture.Store.Count;
        var scheduled = await fixture.SweepIndex.CountAsync();
        Assert.True(during - before >= names.Count, $"{during - before} records for {names.Count} names");
        Assert.True(scheduled >= names.Count);

        // Within the window nothing is due; once it ends, one sweep deletes every record the spray left.
        Assert.Equal(0, await Sweeper.SweepOnceAsync(CancellationToken.None));
        fixture.Time.Advance(ClusterFixture.LockWindow + TimeSpan.FromSeconds(1));
        var asked = await Sweeper.SweepOnceAsync(CancellationToken.None);

        Assert.True(asked >= names.Count);
        Assert.Equal(before, fixture.Store.Count);
        Assert.Equal(0, await fixture.SweepIndex.CountAsync());
        var status = await fixture.Client.GetGrain<IUserGrain>(names[0]).GetStatusAsync();
        Assert.Equal(0, status.Failures);
        Assert.Empty(status.Addresses);
    }

    [Fact]
    public async Task SweepOnce_RealUserWithAFailure_KeepsTheKnownGoodAddress()
    {
        var name = $"real-{Guid.NewGuid():N}";
        var user = fixture.Client.GetGrain<IUserGrain>(name);
        var home = GrainDriver.NewAddress();
        await GrainDriver.Authenticate(user, GrainDriver.NewFingerprint(), home);
        await GrainDriver.Fail(user, GrainDriver.NewAddress());

        fixture.Time.Advance(ClusterFixture.LockWindow + TimeSpan.FromSeconds(1));
        await Sweeper.SweepOnceAsync(CancellationToken.None);

        Assert.Contains(fixture.Store.Keys, k => k.Contains(name, StringComparison.Ordinal));
        Assert.Contains(home, (await user.GetStatusAsync()).KnownGoodAddresses);
    }

    [Fact]
    public async Task SweepOnce_LockedPair_KeptWhileItCanDouble_ThenDeleted()
    {
        var name = $"locked-{Guid.NewGuid():N}";
        var user = fixture.Client.GetGrain<IUserGrain>(name);
        var address = GrainDriver.NewAddress();
        for (var i = 0; i < ClusterFixture.MaxFailures; i++)
        {
            await GrainDriver.Fail(user, address);
        }

        Assert.Equal(CredentialOutcome.Locked, (await GrainDriver.Check(user, GrainDriver.NewFingerprint(), address)).Outcome);

        fixture.Time.Advance(ClusterFixture.LockWindow + TimeSpan.FromSeconds(1));
        await Sweeper.SweepOnceAsync(CancellationToken.None);
        Assert.Contains(fixture.Store.Keys, k => k.Contains(name, StringComparison.Ordinal));

        fixture.Time.Advance(ClusterFixture.LockDuration + ClusterFixture.MaxLockDuration);
        await Sweeper.SweepOnceAsync(CancellationToken.None);
        Assert.DoesNotContain(fixture.Store.Keys, k => k.Contains(name, StringComparison.Ordinal));
    }
}
