using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Gateway.Deploy.Tests.Support;

namespace Gateway.Deploy.Tests;

/// <summary>
/// deploy/local-cluster.sh: one script, parsed by bash, with a usage line naming every command; what 'status', 'up',
/// 'down' and the operator commands say when nothing (or only part of the cluster) runs, each in its own state folder
/// (the cluster itself is started by hand, see the README; these tests start nothing of it).
/// </summary>
public sealed class LocalClusterScriptTests : IDisposable
{
    private static readonly string Script = Repository.PathOf("deploy/local-cluster.sh");

    private readonly string _state = Directory.CreateTempSubdirectory("gw-local-cluster-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    [Fact]
    public async Task Script_ParsesWithBash()
    {
        var (exitCode, output) = await Tool.RunAsync("bash", ["-n", Script]);
        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task WithoutACommand_PrintsTheUsage_AndFails()
    {
        var (exitCode, output) = await Tool.RunAsync("bash", [Script]);
        Assert.Equal(2, exitCode);
        Assert.StartsWith("usage: deploy/local-cluster.sh up [--ha] [--ldap] [EDGES]", output.TrimStart(), StringComparison.Ordinal);
        Assert.Contains("--ha: Redis as a primary, a replica and 3 Sentinels (failover)", output, StringComparison.Ordinal);
        Assert.Contains("--ldap: an OpenLDAP directory (slapd) with demo users alice", output, StringComparison.Ordinal);
        foreach (var command in new[] { "up", "status", "env", "add-edge", "remove-edge", "lock-status", "unlock", "machine-account", "down", "demo-image", "compose-secrets" })
        {
            Assert.Contains($"deploy/local-cluster.sh {command}", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Status_NothingStarted_SaysDown_AndExits3()
    {
        var (exitCode, output) = await RunAsync("status");

        Assert.Equal(3, exitCode);
        Assert.Equal($"down: no process of the cluster in {_state} runs", output.Trim());
    }

    [Fact]
    public async Task Status_RecordedProcessesGone_SaysDown_AndNamesEachOne()
    {
        WriteRecord("redis", 999_999_999, "1");
        await File.WriteAllTextAsync(Path.Combine(_state, "edges"), "1\n");

        var (exitCode, output) = await RunAsync("status");

        Assert.Equal(3, exitCode);
        Assert.Contains($"down: no process of the cluster in {_state} runs", output, StringComparison.Ordinal);
        Assert.Contains("it was up and has stopped without 'down'", output, StringComparison.Ordinal);
        Assert.Matches(@"redis +NOT RUNNING +\(pid 999999999 has exited", output);
        Assert.Matches(@"edge-1 +not running", output);
    }

    [Fact]
    public async Task Status_PidNowUsedByAnotherProgram_DoesNotCountIt()
    {
        // This test's own PID, alive, but recorded with another start time: a reused PID, not the cluster's Redis.
        WriteRecord("redis", Environment.ProcessId, "1");

        var (exitCode, output) = await RunAsync("status");

        Assert.Equal(3, exitCode);
        Assert.Contains($"down: no process of the cluster in {_state} runs", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Up_PartOfTheClusterRunning_RefusesAndChangesNothing()
    {
        using var sleeper = Process.Start(new ProcessStartInfo("sleep", "120") { UseShellExecute = false })!;
        try
        {
            WriteRecord("redis", sleeper.Id, StartTime(sleeper.Id));
            await File.WriteAllTextAsync(Path.Combine(_state, "edges"), "1\n2\n");
            var before = Snapshot();

            var (exitCode, output) = await RunAsync("up");

            Assert.Equal(1, exitCode);
            Assert.Contains($"the cluster in {_state} is partly up (1 of 8 processes run): run 'deploy/local-cluster.sh down' first", output, StringComparison.Ordinal);
            Assert.Matches($@"redis +running +pid {sleeper.Id}\b", output);
            Assert.Equal(before, Snapshot());
            Assert.False(sleeper.HasExited);
        }
        finally
        {
            sleeper.Kill();
        }
    }

    [Fact]
    public async Task Down_APortOfTheClusterStillInUse_SaysWhich_AndFails()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var (exitCode, output) = await RunAsync("down", ("GATEWAY_PORT", port.ToString(CultureInfo.InvariantCulture)));

        Assert.Equal(1, exitCode);
        Assert.Contains($"nothing runs in {_state}", output, StringComparison.Ordinal);
        Assert.Contains("down could not stop everything:", output, StringComparison.Ordinal);
        Assert.Contains($"port {port} (haproxy) is still in use", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unlock", "demo")]
    [InlineData("lock-status", "demo")]
    [InlineData("machine-account", "ci")]
    [InlineData("env", null)]
    public async Task OperatorCommand_ClusterNotRunning_SaysSo_AndFails(string command, string? argument)
    {
        var (exitCode, output) = argument is null ? await RunAsync(command) : await RunAsync(command, argument);

        Assert.Equal(1, exitCode);
        Assert.Equal("the cluster is not running: deploy/local-cluster.sh up first", output.Trim());
    }

    [Theory]
    [InlineData("GATEWAY_PORT", "5443x", "GATEWAY_PORT must be a port number from 1 to 65435 (was '5443x')")]
    [InlineData("REDIS_PORT", "70000", "REDIS_PORT must be a port number from 1 to 65435 (was '70000')")]
    [InlineData("SENTINEL_PORT", "0", "SENTINEL_PORT must be a port number from 1 to 65435 (was '0')")]
    [InlineData("LDAP_PORT", "ldap", "LDAP_PORT must be a port number from 1 to 65435 (was 'ldap')")]
    [InlineData("DRAIN_DELAY", "3s", "DRAIN_DELAY must be hh:mm:ss (was '3s')")]
    [InlineData("GATEWAY_DOCKER", "yes", "GATEWAY_DOCKER must be auto, private or none (was 'yes')")]
    public async Task Up_BadSetting_ExitsWith2_NamingTheVariable(string variable, string value, string message)
    {
        var (exitCode, output) = await RunAsync("up", (variable, value));

        Assert.Equal(2, exitCode);
        Assert.Equal(message, output.Trim());
        Assert.Empty(Directory.EnumerateFileSystemEntries(_state));
    }

    [Fact]
    public async Task UpHa_NotAnEdgeCount_PrintsTheUsage_AndStartsNothing()
    {
        var (exitCode, output) = await RunAsync("up", "--ha", "many");

        Assert.Equal(2, exitCode);
        Assert.StartsWith("usage: deploy/local-cluster.sh up [--ha] [--ldap] [EDGES]", output.TrimStart(), StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_state));
    }

    [Fact]
    public async Task UpLdap_AnUnknownFlag_PrintsTheUsage_AndStartsNothing()
    {
        var (exitCode, output) = await RunAsync("up", "--ldap", "--fast");

        Assert.Equal(2, exitCode);
        Assert.StartsWith("usage: deploy/local-cluster.sh up [--ha] [--ldap] [EDGES]", output.TrimStart(), StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_state));
    }

    [Fact]
    public async Task ComposeSecrets_WritesTheDirectorysFiles_PasswordsHashedInTheLdif_AndKeepsThemTheSecondTime()
    {
        var dir = Path.Combine(_state, "secrets");

        var (exitCode, output) = await RunAsync("compose-secrets", dir);
        var ldif = await File.ReadAllTextAsync(Path.Combine(dir, "ldap-passwords.ldif"));
        var alice = await File.ReadAllTextAsync(Path.Combine(dir, "ldap-alice-password"));
        Assert.Equal(0, (await RunAsync("compose-secrets", dir)).ExitCode);

        Assert.True(exitCode == 0, output);
        foreach (var file in new[] { "ldap-admin-password", "ldap-bind-password", "ldap-alice-password", "ldap-bob-password" })
        {
            Assert.Matches("^[A-Za-z0-9]{16}$", await File.ReadAllTextAsync(Path.Combine(dir, file)));
        }

        Assert.Matches(@"dn: uid=alice,ou=people,dc=example,dc=test\nchangetype: modify\nreplace: userPassword\nuserPassword: \{SSHA\}[A-Za-z0-9+/]{38}==", ldif);
        Assert.DoesNotContain(alice, ldif, StringComparison.Ordinal);
        Assert.Equal(ldif, await File.ReadAllTextAsync(Path.Combine(dir, "ldap-passwords.ldif")));
        Assert.Equal(alice, await File.ReadAllTextAsync(Path.Combine(dir, "ldap-alice-password")));
    }

    [Fact]
    public async Task Unlock_NotAUserName_IsRefused()
    {
        var (exitCode, output) = await RunAsync("unlock", "a b");

        Assert.Equal(1, exitCode);
        Assert.Contains("not a user name: 'a b'", output, StringComparison.Ordinal);
    }

    [RequiresToolFact("skopeo", "skopeo")]
    public async Task DemoImage_MadeTwice_IsTheSameToTheByte_AndAnOciArchiveSkopeoReads()
    {
        var first = Path.Combine(_state, "one");
        var second = Path.Combine(_state, "two");

        var (exitCode, output) = await RunAsync("demo-image", first);
        Assert.True(exitCode == 0, output);
        Assert.Equal(0, (await RunAsync("demo-image", second)).ExitCode);

        Assert.Equal(["hello.tar", "layer.tar"], Directory.GetFiles(first).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var file in new[] { "hello.tar", "layer.tar" })
        {
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(first, file)), await File.ReadAllBytesAsync(Path.Combine(second, file)));
        }

        var (tarExit, listing) = await Tool.RunAsync("tar", ["-tvf", Path.Combine(first, "layer.tar")]);
        Assert.Equal(0, tarExit);
        Assert.EndsWith(" hello.txt", listing.Trim(), StringComparison.Ordinal);

        var (inspectExit, inspected) = await Tool.RunAsync("skopeo", ["inspect", "oci-archive:" + Path.Combine(first, "hello.tar")], environment: new Dictionary<string, string?> { ["TMPDIR"] = _state });
        Assert.True(inspectExit == 0, inspected);
        using var image = JsonDocument.Parse(inspected);
        Assert.Equal("linux", image.RootElement.GetProperty("Os").GetString());
        Assert.Single(image.RootElement.GetProperty("Layers").EnumerateArray());
    }

    private Task<(int ExitCode, string Output)> RunAsync(string command, params string[] arguments) =>
        Tool.RunAsync("bash", [Script, command, .. arguments], environment: ScriptEnvironment());

    private Task<(int ExitCode, string Output)> RunAsync(string command, (string Name, string Value) variable)
    {
        var environment = ScriptEnvironment();
        environment[variable.Name] = variable.Value;
        return Tool.RunAsync("bash", [Script, command], environment: environment);
    }

    private Dictionary<string, string?> ScriptEnvironment() => new() { ["GATEWAY_LOCAL_DIR"] = _state };

    private void WriteRecord(string name, int pid, string startTime)
    {
        Directory.CreateDirectory(Path.Combine(_state, "pids"));
        File.WriteAllText(Path.Combine(_state, "pids", name + ".pid"), $"{pid} {startTime}\n");
    }

    /// <summary>Field 22 of /proc/PID/stat, as the script records it.</summary>
    private static string StartTime(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19];
    }

    /// <summary>Every file under the state folder with its content, to show a command changed nothing.</summary>
    private string Snapshot() =>
        string.Join('\n', Directory.EnumerateFiles(_state, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".lock", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(f => f + "=" + File.ReadAllText(f)));
}
