using System.Text.Json;

namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A private Docker engine: containerd (own config, under <c>docker-init -s</c> as subreaper) and dockerd
/// (vfs, no iptables, no bridge, cgroupfs), all state under <c>&lt;temp&gt;/docker-engine</c>. Both daemons run in one
/// private mount namespace with their own <c>/run</c> (<see cref="EngineIsolation"/>), so the folders they insist on
/// there and their mounts stay out of the machine; the cgroups of containers (only <c>docker run</c> makes them)
/// cannot be private and go under a parent named for this engine, removed on dispose. The real docker CLI runs
/// outside the namespace with DOCKER_HOST/DOCKER_CONFIG pointing at the engine's folder (never ~/.docker).
/// Loopback registries are "insecure" for dockerd: it skips TLS verification and falls back to plain HTTP for
/// 127.0.0.0/8.
/// </summary>
public sealed class DockerEngine : IAsyncDisposable
{
    // Empty folders dockerd/containerd/runc create outside the prefix when the namespace is refused; removed on dispose
    // if they were not there before (a system dockerd may share them: they are only ever rmdir'ed when empty).
    private static readonly string[] SharedRunDirectories = ["/run/docker/plugins", "/run/docker", "/run/containerd/s", "/run/containerd"];

    private readonly HashSet<string> _preExisting;
    private ManagedProcess? _containerd;
    private ManagedProcess? _dockerd;

    private DockerEngine(string root, EngineIsolation isolation, HashSet<string> preExisting)
    {
        Root = root;
        Isolation = isolation;
        _preExisting = preExisting;
        CgroupParent = "gw-e2e-docker-" + Guid.NewGuid().ToString("N")[..8];
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

    /// <summary>Whether the daemons run in a private mount namespace or, where that is refused, share the machine's <c>/run</c>.</summary>
    public EngineIsolation Isolation { get; }

    /// <summary>
    /// The cgroup (under each hierarchy's root) containers of this engine go in, unique to it, so it never shares a
    /// folder with a system dockerd's <c>docker</c> cgroup and can always be removed whole.
    /// </summary>
    public string CgroupParent { get; }

    /// <summary>One line for the test output when <see cref="Isolation"/> is the fallback, else null.</summary>
    public string? IsolationNote { get; private set; }

    /// <summary>Bound for each CLI command (push/pull of 64 MiB takes ~3 s).</summary>
    public TimeSpan CliTimeout { get; set; } = TimeSpan.FromMinutes(3);

    public static async Task<DockerEngine> StartAsync(TempDirectory temp, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        var root = temp.CreateSubdirectory("docker-engine");
        var unavailable = await PrivateMountNamespace.UnavailableReasonAsync().ConfigureAwait(false);
        var engine = unavailable is null
            ? new DockerEngine(root, EngineIsolation.PrivateMountNamespace, [])
            : new DockerEngine(root, EngineIsolation.SharedRun, [.. SharedRunDirectories.Where(Directory.Exists)])
            {
                IsolationNote = $"note: dockerd/containerd share the machine's /run (no private mount namespace here: {unavailable}); " +
                    "the folders they create there are removed on dispose",
            };
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

    /// <summary>
    /// Stops dockerd (SIGTERM, ≤30 s) and containerd, kills shims left over, unmounts what is left under the folder
    /// (the namespace's mounts have gone with its last process), removes this engine's cgroups and, in the fallback,
    /// the empty folders the daemons made in <c>/run</c>.
    /// </summary>
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
        RemoveCgroups();
        if (Isolation == EngineIsolation.SharedRun)
        {
            foreach (var dir in SharedRunDirectories.Where(d => !_preExisting.Contains(d)))
            {
                TryRemoveEmptyDirectory(dir);
            }
        }
    }

    /// <summary>This engine's cgroup folders: <c>/sys/fs/cgroup/PARENT</c> (cgroup v2) and <c>/sys/fs/cgroup/*/PARENT</c> (v1).</summary>
    public IEnumerable<string> CgroupDirectories() =>
        Directory.Exists("/sys/fs/cgroup")
            ? Directory.EnumerateDirectories("/sys/fs/cgroup").Prepend("/sys/fs/cgroup").Select(c => Path.Combine(c, CgroupParent)).Where(Directory.Exists)
            : [];

    // runc removes a container's cgroup when the container is deleted; the parent it created stays. A cgroup folder
    // is removed with rmdir (its files are the kernel's), children first; one still holding a process stays.
    private void RemoveCgroups()
    {
        foreach (var parent in CgroupDirectories().ToList())
        {
            try
            {
                foreach (var child in Directory.EnumerateDirectories(parent, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length).ToList())
                {
                    TryRemoveEmptyDirectory(child);
                }
            }
            catch (DirectoryNotFoundException)
            {
            }

            TryRemoveEmptyDirectory(parent);
        }
    }

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
        string[] init = ["-s", "--", "containerd", "--config", config];
        var (program, arguments) = Isolation == EngineIsolation.PrivateMountNamespace
            ? PrivateMountNamespace.WithPrivateRun("/usr/bin/docker-init", init)
            : ("/usr/bin/docker-init", init);
        _containerd = ManagedProcess.Start(program, arguments, workingDirectory: dir, name: "containerd");
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

        string[] dockerd =
            [
                "--config-file", daemonJson,
                "--host", DockerHost,
                "--containerd", ContainerdSocket,
                "--data-root", Path.Combine(Root, "data"),
                "--exec-root", Path.Combine(Root, "exec"),
                "--pidfile", Path.Combine(Root, "docker.pid"),
                "--iptables=false", "--ip6tables=false", "--ip-masq=false", "--bridge=none",
                "--storage-driver=vfs",

                // cgroupfs, not systemd (dockerd's choice on cgroup v2 hosts running systemd): the containers' cgroups
                // then go under a parent of this engine's own instead of into systemd's slices.
                "--exec-opt", "native.cgroupdriver=cgroupfs",
                "--cgroup-parent", "/" + CgroupParent,
            ];

        // dockerd joins containerd's namespace: /run/docker/plugins (not movable by any option) lands in the private /run.
        var (program, arguments) = Isolation == EngineIsolation.PrivateMountNamespace
            ? PrivateMountNamespace.Join(Containerd.Pid, Root, "dockerd", dockerd)
            : ("dockerd", dockerd);
        _dockerd = ManagedProcess.Start(program, arguments, workingDirectory: Root, name: "dockerd");
        await Poll.UntilAsync(
            async _ => (await RunCliAsync("version").ConfigureAwait(false)).Succeeded,
            timeout,
            "dockerd to answer `docker version`",
            _dockerd,
            TimeSpan.FromMilliseconds(250)).ConfigureAwait(false);
    }
}
