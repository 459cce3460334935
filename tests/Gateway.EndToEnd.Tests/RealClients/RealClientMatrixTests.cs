using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Gateway.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;
using static Gateway.EndToEnd.Tests.RealClients.RealClientMatrixFixture;

namespace Gateway.EndToEnd.Tests.RealClients;

/// <summary>
/// docker 20.10 (the private dockerd), podman 4.3, buildah 1.28, skopeo 1.9 and ctr 1.6, each in basic and in token
/// mode over two nodes, used as a user would: login, push, pull through the other node, a push the ACL refuses, one
/// wrong password then the right one, a locked user, tag list and delete where the client has them. Every step asserts
/// what the user sees: the exit status, the message's key words, and for refusals that the client gave up within
/// <see cref="RefusalBound"/> (no retry storms). The matrix (client × operation × mode → seconds) is printed and
/// written next to the test assembly (<see cref="MatrixTable.FileName"/>), where <c>.ci/run</c> prints it.
/// </summary>
public sealed class RealClientMatrixTests(RealClientMatrixFixture fixture, ITestOutputHelper output) : IClassFixture<RealClientMatrixFixture>
{
    /// <summary>A refusal must end within this (the issue's acceptance bound).</summary>
    private static readonly TimeSpan RefusalBound = TimeSpan.FromSeconds(15);

    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var client in Clients)
        {
            foreach (var mode in Modes)
            {
                cases.Add(client, mode);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task RealClient_EveryOperationInThisMode_EndsAsTheUserExpectsAndRefusalsWithinSeconds(string client, string mode)
    {
        var run = new Run(fixture, client, mode);
        switch (client)
        {
            case "docker":
                await DockerAsync(run);
                break;
            case "podman":
                await PodmanAsync(run);
                break;
            case "buildah":
                await BuildahAsync(run);
                break;
            case "skopeo":
                await SkopeoAsync(run);
                break;
            default:
                await CtrAsync(run);
                break;
        }

        output.WriteLine(run.Report());
        Assert.True(run.Failures.Count == 0, string.Join("\n\n", run.Failures));
    }

    private async Task DockerAsync(Run run)
    {
        var engine = fixture.Engine;
        var (a, b) = (run.A.HostPort, run.B.HostPort);
        var image = $"{a}/docker/app:{run.Mode}";
        var tar = run.Temp("docker.tar");
        await TestImages.CreateTarAsync(tar, 64 * 1024);
        (await engine.RunCliAsync("import", tar, image)).EnsureSuccess();

        await run.SucceedsAsync("login", () => engine.LoginAsync(a, "docker", PasswordOf("docker")));
        await run.SucceedsAsync("push", () => engine.RunCliAsync("push", image));
        (await engine.RunCliAsync("rmi", image)).EnsureSuccess();
        (await engine.LoginAsync(b, "docker", PasswordOf("docker"))).EnsureSuccess();
        await run.SucceedsAsync("pull through the other node", () => engine.RunCliAsync("pull", $"{b}/docker/app:{run.Mode}"));

        (await engine.RunCliAsync("tag", $"{b}/docker/app:{run.Mode}", $"{a}/docker/denied:{run.Mode}")).EnsureSuccess();
        (await engine.LoginAsync(a, Reader, PasswordOf(Reader))).EnsureSuccess();
        await run.RefusedAsync("push the ACL refuses", () => engine.RunCliAsync("push", $"{a}/docker/denied:{run.Mode}"), "denied", "push on repository docker/denied");

        await run.RefusedAsync("login, wrong password", () => engine.LoginAsync(a, "docker", "wrong-password"), "401|unauthorized");
        await run.SucceedsAsync("login, right password right after", () => engine.LoginAsync(a, "docker", PasswordOf("docker")), RefusalBound);

        await run.RefusedAsync("login, locked user", () => engine.LoginAsync(a, Locked, PasswordOf(Locked)), "locked", Regex.Escape(run.LockedUntil));

        // The state a user locked out after logging in has: the password stored.
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Locked}:{PasswordOf(Locked)}"));
        await File.WriteAllTextAsync(Path.Combine(engine.ConfigDirectory, "config.json"), "{\"auths\":{\"" + a + "\":{\"auth\":\"" + auth + "\"}}}");
        await run.RefusedAsync("pull, locked user", () => engine.RunCliAsync("pull", $"{a}/{Locked}/app:{run.Mode}"), "locked", Regex.Escape(run.LockedUntil));
        await File.WriteAllTextAsync(Path.Combine(engine.ConfigDirectory, "config.json"), "{}");
    }

    private async Task PodmanAsync(Run run)
    {
        var podman = ContainersTool.Podman(run.TempDirectory);
        var certs = fixture.Pki.CertDirectory;
        var (a, b) = (run.A.HostPort, run.B.HostPort);
        var tar = run.Temp("podman.tar");
        await TestImages.CreateTarAsync(tar, 64 * 1024);
        (await podman.RunAsync("import", tar, "localhost/podman-app:" + run.Mode)).EnsureSuccess();

        await run.SucceedsAsync("login", () => podman.LoginAsync(a, "podman", PasswordOf("podman"), certs));
        await run.SucceedsAsync("push", () => podman.RunAsync("push", "--cert-dir", certs, "localhost/podman-app:" + run.Mode, $"docker://{a}/podman/app:{run.Mode}"));
        await run.SucceedsAsync("pull through the other node", () => podman.RunAsync("pull", "--cert-dir", certs, "--creds", $"podman:{PasswordOf("podman")}", $"{b}/podman/app:{run.Mode}"));
        podman.Trust(a, fixture.Pki.CaCertificatePath); // podman search has neither --cert-dir nor --creds: the login's
        await run.SucceedsAsync("tag list", () => podman.RunAsync("search", "--list-tags", $"{a}/podman/app"));
        await run.RefusedAsync(
            "push the ACL refuses",
            () => podman.RunAsync("push", "--cert-dir", certs, "--creds", $"{Reader}:{PasswordOf(Reader)}", "localhost/podman-app:" + run.Mode, $"docker://{a}/podman/denied:{run.Mode}"),
            "denied", "push on repository podman/denied");

        await run.RefusedAsync("login, wrong password", () => podman.LoginAsync(a, "podman", "wrong-password", certs), "invalid username/password");
        await run.SucceedsAsync("login, right password right after", () => podman.LoginAsync(a, "podman", PasswordOf("podman"), certs), RefusalBound);

        await run.RefusedAsync("login, locked user", () => podman.LoginAsync(a, Locked, PasswordOf(Locked), certs), "locked", Regex.Escape(run.LockedUntil));
        await run.RefusedAsync("pull, locked user", () => podman.RunAsync("pull", "--cert-dir", certs, "--creds", $"{Locked}:{PasswordOf(Locked)}", $"{a}/{Locked}/app:{run.Mode}"), "locked", Regex.Escape(run.LockedUntil));
    }

    private async Task BuildahAsync(Run run)
    {
        var buildah = ContainersTool.Buildah(run.TempDirectory);
        var certs = fixture.Pki.CertDirectory;
        var (a, b) = (run.A.HostPort, run.B.HostPort);
        var file = run.Temp("hello.txt");
        await File.WriteAllTextAsync(file, $"hello from buildah in {run.Mode} mode, {Guid.NewGuid()}\n");
        var container = (await buildah.RunAsync("from", "--name", "matrix-" + run.Mode, "scratch")).EnsureSuccess().StandardOutput.Trim();
        (await buildah.RunAsync("copy", container, file, "/hello.txt")).EnsureSuccess();
        (await buildah.RunAsync("commit", container, "localhost/buildah-app:" + run.Mode)).EnsureSuccess();

        await run.SucceedsAsync("login", () => buildah.LoginAsync(a, "buildah", PasswordOf("buildah"), certs));
        await run.SucceedsAsync("push", () => buildah.RunAsync("push", "--cert-dir", certs, "localhost/buildah-app:" + run.Mode, $"docker://{a}/buildah/app:{run.Mode}"));
        await run.SucceedsAsync("pull through the other node", () => buildah.RunAsync("pull", "--cert-dir", certs, "--creds", $"buildah:{PasswordOf("buildah")}", $"docker://{b}/buildah/app:{run.Mode}"));
        await run.RefusedAsync(
            "push the ACL refuses",
            () => buildah.RunAsync("push", "--cert-dir", certs, "--creds", $"{Reader}:{PasswordOf(Reader)}", "localhost/buildah-app:" + run.Mode, $"docker://{a}/buildah/denied:{run.Mode}"),
            "denied", "push on repository buildah/denied");

        await run.RefusedAsync("login, wrong password", () => buildah.LoginAsync(a, "buildah", "wrong-password", certs), "invalid username/password");
        await run.SucceedsAsync("login, right password right after", () => buildah.LoginAsync(a, "buildah", PasswordOf("buildah"), certs), RefusalBound);

        await run.RefusedAsync("login, locked user", () => buildah.LoginAsync(a, Locked, PasswordOf(Locked), certs), "locked", Regex.Escape(run.LockedUntil));
        await run.RefusedAsync("pull, locked user", () => buildah.RunAsync("pull", "--cert-dir", certs, "--creds", $"{Locked}:{PasswordOf(Locked)}", $"docker://{a}/{Locked}/app:{run.Mode}"), "locked", Regex.Escape(run.LockedUntil));
    }

    private async Task SkopeoAsync(Run run)
    {
        var skopeo = Skopeo.Create(run.TempDirectory);
        var certs = fixture.Pki.CertDirectory;
        var (a, b) = (run.A.HostPort, run.B.HostPort);
        var image = await TestImages.CreateOciLayoutAsync(run.Temp("oci"), "v1", 64 * 1024);
        var owner = new SkopeoAccess("skopeo", PasswordOf("skopeo"), certs);
        var reader = new SkopeoAccess(Reader, PasswordOf(Reader), certs);
        var locked = new SkopeoAccess(Locked, PasswordOf(Locked), certs);

        await run.SucceedsAsync("login", () => skopeo.LoginAsync(a, "skopeo", PasswordOf("skopeo"), owner));
        await run.SucceedsAsync("push", () => skopeo.CopyAsync(image.Reference, $"docker://{a}/skopeo/app:{run.Mode}", owner));
        await run.SucceedsAsync("pull through the other node", () => skopeo.CopyAsync($"docker://{b}/skopeo/app:{run.Mode}", $"oci:{run.Temp("back")}:v1", owner));
        await run.SucceedsAsync("tag list", () => skopeo.RunAsync("list-tags", "--cert-dir", certs, "--creds", $"skopeo:{PasswordOf("skopeo")}", $"docker://{b}/skopeo/app"));
        await run.RefusedAsync("push the ACL refuses", () => skopeo.CopyAsync(image.Reference, $"docker://{a}/skopeo/denied:{run.Mode}", reader), "denied", "push on repository skopeo/denied");
        await run.RefusedAsync("delete the ACL refuses", () => skopeo.RunAsync("delete", "--cert-dir", certs, "--creds", $"{Reader}:{PasswordOf(Reader)}", $"docker://{b}/skopeo/app:{run.Mode}"), "denied", "delete on repository skopeo/app");
        await run.SucceedsAsync("delete", () => skopeo.RunAsync("delete", "--cert-dir", certs, "--creds", $"skopeo:{PasswordOf("skopeo")}", $"docker://{b}/skopeo/app:{run.Mode}"));

        await run.RefusedAsync("login, wrong password", () => skopeo.LoginAsync(a, "skopeo", "wrong-password", owner), "invalid username/password");
        await run.SucceedsAsync("login, right password right after", () => skopeo.LoginAsync(a, "skopeo", PasswordOf("skopeo"), owner), RefusalBound);

        await run.RefusedAsync("login, locked user", () => skopeo.LoginAsync(a, Locked, PasswordOf(Locked), locked), "locked", Regex.Escape(run.LockedUntil));
        await run.RefusedAsync("pull, locked user", () => skopeo.InspectRawAsync($"docker://{a}/{Locked}/app:{run.Mode}", locked), "locked", Regex.Escape(run.LockedUntil));
    }

    private async Task CtrAsync(Run run)
    {
        var ctr = Ctr.Create(fixture.Engine, run.TempDirectory, "matrix-" + run.Mode);
        var (a, b) = (run.A.HostPort, run.B.HostPort);
        ctr.AddHost(a, fixture.Pki.CaCertificatePath);
        ctr.AddHost(b, fixture.Pki.CaCertificatePath);
        var image = await TestImages.CreateOciLayoutAsync(run.Temp("oci"), "v1", 64 * 1024);
        var archive = run.Temp("ctr.tar");
        (await Skopeo.Create(run.TempDirectory).CopyAsync(image.Reference, $"docker-archive:{archive}:{a}/ctr/app:{run.Mode}")).EnsureSuccess();
        (await ctr.RunAsync("images", "import", archive)).EnsureSuccess();
        (await ctr.RunAsync("images", "tag", $"{a}/ctr/app:{run.Mode}", $"{a}/ctr/denied:{run.Mode}")).EnsureSuccess();

        await run.SucceedsAsync("push", () => ctr.PushAsync($"{a}/ctr/app:{run.Mode}", "ctr", PasswordOf("ctr")));
        await run.SucceedsAsync("pull through the other node", () => ctr.PullAsync($"{b}/ctr/app:{run.Mode}", "ctr", PasswordOf("ctr")));

        // Token mode: containerd reports a refused scope only as the challenge's error, not the body.
        await run.RefusedAsync("push the ACL refuses", () => ctr.PushAsync($"{a}/ctr/denied:{run.Mode}", Reader, PasswordOf(Reader)), run.Mode == "token" ? new[] { "insufficient_scope" } : new[] { "403", "push on repository ctr/denied" });

        // containerd resends a refused Basic credential up to five times (MaxFailures): counted once, never a lock.
        await run.RefusedAsync("pull, wrong password", () => ctr.PullAsync($"{b}/ctr/app:{run.Mode}", "ctr", "wrong-password"), "401");
        await run.SucceedsAsync("pull, right password right after", () => ctr.PullAsync($"{b}/ctr/app:{run.Mode}", "ctr", PasswordOf("ctr")), RefusalBound);
        await run.RefusedAsync("push, wrong password", () => ctr.PushAsync($"{a}/ctr/app:{run.Mode}", "ctr", "another-wrong-password"), "401");
        await run.SucceedsAsync("push, right password right after", () => ctr.PushAsync($"{a}/ctr/app:{run.Mode}", "ctr", PasswordOf("ctr")), RefusalBound);

        await run.RefusedAsync("pull, locked user", () => ctr.PullAsync($"{a}/{Locked}/app:{run.Mode}", Locked, PasswordOf(Locked)), "locked", Regex.Escape(run.LockedUntil));
    }

    /// <summary>One client in one mode: its steps, their rows in the fixture's table, and what went wrong.</summary>
    private sealed class Run(RealClientMatrixFixture fixture, string client, string mode)
    {
        private readonly List<MatrixRow> _rows = [];

        public string Mode { get; } = mode;

        public GatewayNode A => fixture.Nodes(Mode).A;

        public GatewayNode B => fixture.Nodes(Mode).B;

        public string LockedUntil => fixture.LockedUntil(Mode);

        public TempDirectory TempDirectory => fixture.Temp;

        public List<string> Failures { get; } = [];

        /// <summary>A fresh path in the fixture's folder for this run.</summary>
        public string Temp(string name) => fixture.Temp.Combine($"{client}-{Mode}-{Guid.NewGuid().ToString("N")[..6]}-{name}");

        /// <summary>The command must succeed (within <paramref name="bound"/> when given).</summary>
        public async Task SucceedsAsync(string operation, Func<Task<CommandResult>> command, TimeSpan? bound = null)
        {
            var (result, elapsed, error) = await RunAsync(command);
            error ??= result!.Succeeded ? null : "exit status " + result.ExitCode.ToString(CultureInfo.InvariantCulture);
            if (error is null && bound is { } limit && elapsed > limit)
            {
                error = $"took {elapsed.TotalSeconds:0.0} s, more than {limit.TotalSeconds:0} s";
            }

            Record(operation, elapsed, error, result, seen: string.Empty);
        }

        /// <summary>The command must fail within <see cref="RefusalBound"/>, printing every key word (regular expressions, case-insensitive).</summary>
        public async Task RefusedAsync(string operation, Func<Task<CommandResult>> command, params string[] keywords)
        {
            var (result, elapsed, error) = await RunAsync(command);
            var seen = result is null ? string.Empty : LastLine(result.Output);
            if (error is null)
            {
                var missing = keywords.Where(k => !Regex.IsMatch(result!.Output, k, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)).ToList();
                error = result!.Succeeded ? "succeeded; a refusal was expected"
                    : elapsed > RefusalBound ? $"took {elapsed.TotalSeconds:0.0} s, more than {RefusalBound.TotalSeconds:0} s"
                    : missing.Count > 0 ? "the message lacks " + string.Join(", ", missing.Select(m => $"'{m}'"))
                    : null;
            }

            Record(operation, elapsed, error, result, seen);
        }

        public string Report() => string.Join('\n', _rows.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Client} {r.Mode} | {r.Operation} | {r.Seconds:0.0} s | {(r.Passed ? "ok" : "FAIL")}{(r.Seen.Length > 0 ? " | " + r.Seen : string.Empty)}")));

        private static async Task<(CommandResult? Result, TimeSpan Elapsed, string? Error)> RunAsync(Func<Task<CommandResult>> command)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                var result = await command();
                return (result, result.Duration, null);
            }
            catch (TimeoutException ex)
            {
                return (null, watch.Elapsed, "did not finish: " + ex.Message);
            }
        }

        private void Record(string operation, TimeSpan elapsed, string? error, CommandResult? result, string seen)
        {
            var row = new MatrixRow(client, operation, Mode, elapsed.TotalSeconds, error is null, seen);
            _rows.Add(row);
            fixture.Table.Add(row);
            if (error is not null)
            {
                Failures.Add($"{client} {Mode}, {operation}: {error}\n{result}");
            }
        }

        /// <summary>The last line a client printed that says something (progress bars and blank lines skipped), at most 240 characters.</summary>
        private static string LastLine(string output)
        {
            var line = output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .LastOrDefault(l => !l.StartsWith("elapsed:", StringComparison.Ordinal) && !l.Contains("|--", StringComparison.Ordinal)) ?? string.Empty;
            return line.Length > 240 ? line[..237] + "..." : line;
        }
    }
}
