using Gateway.Deploy.Tests.Support;

namespace Gateway.Deploy.Tests;

/// <summary>deploy/local-cluster.sh: one script, parsed by bash, with a usage line naming every command.</summary>
public sealed class LocalClusterScriptTests
{
    [Fact]
    public async Task Script_ParsesWithBash()
    {
        var (exitCode, output) = await Tool.RunAsync("bash", ["-n", Repository.PathOf("deploy/local-cluster.sh")]);
        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task WithoutACommand_PrintsTheUsage_AndFails()
    {
        var (exitCode, output) = await Tool.RunAsync("bash", [Repository.PathOf("deploy/local-cluster.sh")]);
        Assert.Equal(2, exitCode);
        Assert.StartsWith("usage: deploy/local-cluster.sh up [EDGES]", output.TrimStart(), StringComparison.Ordinal);
        foreach (var command in new[] { "up", "add-edge", "remove-edge", "status", "down", "compose-secrets" })
        {
            Assert.Contains($"deploy/local-cluster.sh {command}", output, StringComparison.Ordinal);
        }
    }
}
