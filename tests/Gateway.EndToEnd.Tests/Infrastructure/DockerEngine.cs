using System.Text.Json;

namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A private Docker engine: containerd (own config, under <c>docker-init -s</c> as subreaper) and dockerd
/// (vfs, no iptables, no bridge), all state under <c>&lt;temp&gt;/docker-engine</c>. The real docker CLI runs
/// with DOCKER_HOST/DOCKER_CONFIG pointing there (never ~/.docker). Loopback registries are "insecure" for
/// dockerd: it skips TLS verification and falls back to plain HTTP for 127.0.0.0/8.
/// </summary>
public sealed class DockerEngine : IAsyncDisposable
{
    // Empty folders dockerd/containerd/runc create outside the prefix; removed on dispose if they were not there before.
    private static readonly string[] OutsideDirectories = ["/run/docker/plugins", "/run/docker", "/run/containerd/s", "/run/containerd"];

    private readonly HashSet<string> _preExisting;
    private ManagedProcess? _containerd;
    private ManagedProcess? _dockerd;

    private DockerEngine(string root, HashSet<string> preExisting)
    {
        Root = root;
        _preExisting = preExisting;
    }

    /// <summary>The folder holding all engine state.</summary>
    public string Root { get; }

    /// <summary>unix://…/docker.sock</summary>
    public string DockerHost => "unix://" + Path.Combine(Root, "docker.sock");

    /// <summary>DOCKER_CONFIG for the CLI (login credentials land in config.json here).</summary>
    public string ConfigDirectory => Path.Combine(Root, "dockercfg");

    public string ContainerdSocket => Path.Combine(Root, "ctrd", "containerd.sock");

    public ManagedProcess Dockerd => _dockerd ?? throw new InvalidOperationException("dockerd not started");

    public ManagedProcess Containerd => _containerd ?? throw new InvalidOperationException("containerd not started");

    /// <summary>Bound for each CLI command (push/pull of 64 MiB takes ~3 s).</summary>
    public TimeSpan CliTimeout { get; set; } = TimeSpan.FromMinutes(3);

    public static async Task<DockerEngine> StartAsync(TempDirectory temp, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        var root = temp.CreateSubdirectory("docker-engine");
        var engine = new DockerEngine(root, [.. OutsideDirectories.Concat(CgroupDockerDirectories()).Where(Directory.Exists)]);
        try
        {
            await engine.StartContainerdAsync(limit).ConfigureAwait(false);
            await engine.StartDockerdAsync(limit).ConfigureAwait(false);
            return engine;
        }
        catch
        {
            await engine.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs the docker CLI against this engine. Non-zero exit codes are returned, not thrown.</summary>
    public Task<CommandResult> RunCliAsync(params string[] args) => RunCliWithInputAsync(null, args);

    /// <summary>Runs the docker CLI with <paramref name="standardInput"/> on stdin.</summary>
    public Task<CommandResult> RunCliWithInputAsync(string? standardInput, params string[] args) =>
        CommandRunner.RunAsync(
            "docker",
            args,
            CliTimeout,
            new Dictionary<string, string?>
            {
                ["DOCKER_HOST"] = DockerHost,
                ["DOCKER_CONFIG"] = ConfigDirectory,
                ["DOCKER_CLI_HINTS"] = "false",
            },
            standardInput,
            Root);

    /// <summary><c>docker login REGISTRY -u USER --password-stdin</c> (done by the daemon; the CLI stores the result).</summary>
    public Task<CommandResult> LoginAsync(string registry, string user, string password) =>
        RunCliWithInputAsync(password, "login", registry, "-u", user, "--password-stdin");

    public Task<CommandResult> LogoutAsync(string registry) => RunCliAsync("logout", registry);

    /// <summary>Stops dockerd (SIGTERM, ≤30 s) and containerd, unmounts what is left, removes the empty dirs they made outside.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_dockerd is not null)
        {
            _dockerd.GracefulStopTimeout = TimeSpan.FromSeconds(30);
            await _dockerd.DisposeAsync().ConfigureAwait(false);
        }

        if (_containerd is not null)
        {
            _containerd.GracefulStopTimeout = TimeSpan.FromSeconds(15);
            await _containerd.DisposeAsync().ConfigureAwait(false);
        }

        // containerd-shims live in their own process groups; anything still naming our folder goes now.
        foreach (var (pid, _) in ProcessTable.Referencing(Root))
        {
            NativeMethods.Kill(pid, Signal.Kill);
        }

        Mounts.UnmountAllUnder(Root);
        foreach (var dir in OutsideDirectories.Concat(CgroupDockerDirectories()))
        {
            if (!_preExisting.Contains(dir))
            {
                TryRemoveEmptyDirectory(dir);
            }
        }
    }

    private static IEnumerable<string> CgroupDockerDirectories() =>
        Directory.Exists("/sys/fs/cgroup")
            ? Directory.EnumerateDirectories("/sys/fs/cgroup").Select(c => Path.Combine(c, "docker"))
            : [];

    private static void TryRemoveEmptyDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: false);
            }
        }
        catch (IOException)
        {
            // not empty or busy: leave it
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private async Task StartContainerdAsync(TimeSpan timeout)
    {
        var dir = Path.Combine(Root, "ctrd");
        Directory.CreateDirectory(dir);
        var config = Path.Combine(dir, "config.toml");
        await File.WriteAllTextAsync(config, $$"""
            version = 2
            root = "{{dir}}/root"
            state = "{{dir}}/state"
            disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]
            [grpc]
              address = "{{ContainerdSocket}}"
            [ttrpc]
              address = "{{ContainerdSocket}}.ttrpc"
            [debug]
              address = ""
            [plugins]
              [plugins."io.containerd.internal.v1.opt"]
                path = "{{dir}}/opt"

            """).ConfigureAwait(false);

        // docker-init (tini) -s: subreaper, so exited containerd-shims get reaped (PID 1 here does not reap orphans).
        _containerd = ManagedProcess.Start("/usr/bin/docker-init", ["-s", "--", "containerd", "--config", config], workingDirectory: dir, name: "containerd");
        await Poll.UntilAsync(
            async _ => (await CommandRunner.RunAsync("ctr", ["--address", ContainerdSocket, "version"], TimeSpan.FromSeconds(10)).ConfigureAwait(false)).Succeeded,
            timeout,
            "containerd to answer `ctr version`",
            _containerd,
            TimeSpan.FromMilliseconds(250)).ConfigureAwait(false);
    }

    private async Task StartDockerdAsync(TimeSpan timeout)
    {
        Directory.CreateDirectory(ConfigDirectory);
        var daemonJson = Path.Combine(Root, "daemon.json");

        // No CLI flag for the libtrust key in 20.10; without this it lands in /etc/docker/key.json.
        await File.WriteAllTextAsync(
            daemonJson,
            JsonSerializer.Serialize(new Dictionary<string, string> { ["deprecated-key-path"] = Path.Combine(Root, "key.json") }))
            .ConfigureAwait(false);

        _dockerd = ManagedProcess.Start(
            "dockerd",
            [
                "--config-file", daemonJson,
                "--host", DockerHost,
                "--containerd", ContainerdSocket,
                "--data-root", Path.Combine(Root, "data"),
                "--exec-root", Path.Combine(Root, "exec"),
                "--pidfile", Path.Combine(Root, "docker.pid"),
                "--iptables=false", "--ip6tables=false", "--ip-masq=false", "--bridge=none",
                "--storage-driver=vfs",
            ],
            workingDirectory: Root,
            name: "dockerd");
        await Poll.UntilAsync(
            async _ => (await RunCliAsync("version").ConfigureAwait(false)).Succeeded,
            timeout,
            "dockerd to answer `docker version`",
            _dockerd,
            TimeSpan.FromMilliseconds(250)).ConfigureAwait(false);
    }
}
