using System.Diagnostics;
using System.Net;
using static Gateway.EndToEnd.Tests.Protection.ProtectedClusterFixture;

namespace Gateway.EndToEnd.Tests.Protection;

/// <summary>A lock survives the loss of the nodes that held it, and ends when it should.</summary>
public sealed class LockoutFailoverTests(ProtectedClusterFixture cluster, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<ProtectedClusterFixture>
{
    [Fact]
    public async Task KillTwoOfThreeNodesAfterALock_SurvivorStillRefusesThePairThenTheLockExpires()
    {
        const string user = "lock-c";
        const string attacker = "198.51.100.60";
        var nodes = cluster.Nodes;
        for (var i = 0; i < MaxFailures; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(nodes[i % 2], user, $"wrong-{i}", attacker));
        }

        var locked = Stopwatch.StartNew();
        Assert.Equal(LockedLogin, await StatusAsync(nodes[2], user, Password, attacker));

        nodes[0].KillHard();
        nodes[1].KillHard();
        var killed = Stopwatch.StartNew();
        var survivor = nodes[2];
        HttpStatusCode status;
        do
        {
            status = await StatusAsync(survivor, user, Password, attacker);
            Assert.True(status is LockedLogin or HttpStatusCode.ServiceUnavailable, $"locked pair answered {status} after {killed.Elapsed}");
            if (status == LockedLogin)
            {
                break;
            }

            await Task.Delay(200);
        }
        while (killed.Elapsed < TimeSpan.FromSeconds(15));

        Assert.True(status == LockedLogin && killed.Elapsed < TimeSpan.FromSeconds(15), $"the survivor answered {status} after {killed.Elapsed}:\n{survivor.Process.OutputTail(80)}");
        output.WriteLine($"the survivor refused the locked pair again {killed.Elapsed.TotalSeconds:0.0} s after two nodes were killed");
        await Poll(async () => await StatusAsync(survivor, user, Password, "198.51.100.61") == HttpStatusCode.OK, TimeSpan.FromSeconds(15));

        // The lock ends after its duration (counted from the lock), not before.
        Assert.True(locked.Elapsed < LockDuration, "the test was too slow to see the lock before it ended");
        Assert.Equal(LockedLogin, await StatusAsync(survivor, user, Password, attacker));
        await Poll(async () => await StatusAsync(survivor, user, Password, attacker) == HttpStatusCode.OK, LockDuration + TimeSpan.FromSeconds(5));
        Assert.True(locked.Elapsed >= LockDuration - TimeSpan.FromSeconds(1), $"lock ended after {locked.Elapsed}");
    }

    private static async Task Poll(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(watch.Elapsed < timeout, $"condition not met within {timeout}");
            await Task.Delay(200);
        }
    }
}
