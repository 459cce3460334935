namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The real podman (4.3) or buildah (1.28) with everything they keep in a folder of their own: storage (vfs) and run
/// root, the auth file (<c>REGISTRY_AUTH_FILE</c>), <c>containers.conf</c>, <c>registries.conf</c>, <c>storage.conf</c>
/// and an accept-anything <c>policy.json</c>, home and temp folders. Both also reach for machine-wide paths no option
/// moves (the blob-info cache in <c>/var/lib/containers/cache</c>, netavark's <c>/run/containers/networks</c>, the
/// defaults in <c>/etc/containers</c>), so as root every command runs in a private mount namespace (<see cref="PrivateMountNamespace"/>) with a tmpfs on
/// <c>/run</c> and this instance's folders on <c>/var/lib/containers</c> (or <c>/var/lib</c> where that does not
/// exist, so nothing is created on the machine) and <c>/etc/containers</c>: nothing outside the folder is read or
/// changed. Non-zero exit codes are returned, not thrown.
/// </summary>
public sealed class ContainersTool
{
    private const string PrivateMountsScript =
        PrivateMountNamespace.PrivateRunScript + " && " +
        "target=/var/lib/containers; source=\"$TOOL_HOME/var-lib/containers\"; " +
        "[ -d \"$target\" ] || { target=/var/lib; source=\"$TOOL_HOME/var-lib\"; }; " +
        "mount -n --bind \"$source\" \"$target\" && " +
        "{ [ ! -d /etc/containers ] || mount -n --bind \"$TOOL_HOME/etc-containers\" /etc/containers; }";

    private readonly string[] _globalOptions;

    private ContainersTool(string program, string directory, string[] globalOptions)
    {
        Program = program;
        Directory = directory;
        _globalOptions = globalOptions;
    }

    /// <summary><c>podman</c> or <c>buildah</c>.</summary>
    public string Program { get; }

    /// <summary>The folder holding all of this instance's state.</summary>
    public string Directory { get; }

    /// <summary>The auth file <c>login</c> writes and every command reads.</summary>
    public string AuthFile => Path.Combine(Directory, "auth.json");

    /// <summary>Bound for each command.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>podman with vfs storage, no events, cgroupfs and its own network configuration folder.</summary>
    public static ContainersTool Podman(TempDirectory temp)
    {
        var dir = Prepare(temp, "podman");
        return new ContainersTool("podman", dir,
        [
            "--root", Path.Combine(dir, "root"), "--runroot", Path.Combine(dir, "runroot"), "--storage-driver", "vfs",
            "--tmpdir", Path.Combine(dir, "tmp"), "--events-backend", "none", "--cgroup-manager", "cgroupfs",
            "--network-config-dir", Path.Combine(dir, "networks"),
        ]);
    }

    /// <summary>buildah with vfs storage.</summary>
    public static ContainersTool Buildah(TempDirectory temp)
    {
        var dir = Prepare(temp, "buildah");
        return new ContainersTool("buildah", dir, ["--root", Path.Combine(dir, "root"), "--runroot", Path.Combine(dir, "runroot"), "--storage-driver", "vfs"]);
    }

    /// <summary>Runs <c>PROGRAM [global options] ARGS</c>.</summary>
    public Task<CommandResult> RunAsync(params string[] args) => RunWithInputAsync(null, args);

    /// <summary>Runs it with <paramref name="standardInput"/> on stdin.</summary>
    public async Task<CommandResult> RunWithInputAsync(string? standardInput, params string[] args)
    {
        var etc = Path.Combine(Directory, "etc-containers");
        var environment = new Dictionary<string, string?>
        {
            ["TOOL_HOME"] = Directory,
            ["REGISTRY_AUTH_FILE"] = AuthFile,
            ["CONTAINERS_CONF"] = Path.Combine(etc, "containers.conf"),
            ["CONTAINERS_REGISTRIES_CONF"] = Path.Combine(etc, "registries.conf"),
            ["CONTAINERS_STORAGE_CONF"] = Path.Combine(etc, "storage.conf"),
            ["HOME"] = Path.Combine(Directory, "home"),
            ["XDG_CONFIG_HOME"] = Path.Combine(Directory, "home", ".config"),
            ["XDG_DATA_HOME"] = Path.Combine(Directory, "home", ".local", "share"),
            ["XDG_RUNTIME_DIR"] = Path.Combine(Directory, "xdg-runtime"),
            ["TMPDIR"] = Path.Combine(Directory, "tmp"),
        };
        string[] arguments = [.. _globalOptions, .. args];
        var (program, command) = await PrivateMountNamespace.UnavailableReasonAsync().ConfigureAwait(false) is null
            ? PrivateMountNamespace.Command(PrivateMountsScript, Program, arguments)
            : (Program, arguments);
        return await CommandRunner.RunAsync(program, command, Timeout, environment, standardInput, Directory).ConfigureAwait(false);
    }

    /// <summary>
    /// Trusts <paramref name="caPath"/> for <paramref name="hostPort"/> in this instance's <c>/etc/containers/certs.d</c>
    /// (for commands without <c>--cert-dir</c>, such as <c>podman search</c>).
    /// </summary>
    public void Trust(string hostPort, string caPath)
    {
        var dir = System.IO.Directory.CreateDirectory(Path.Combine(Directory, "etc-containers", "certs.d", hostPort)).FullName;
        File.Copy(caPath, Path.Combine(dir, "ca.crt"), overwrite: true);
    }

    /// <summary><c>login REGISTRY -u USER --password-stdin --cert-dir DIR</c> into the private auth file.</summary>
    public Task<CommandResult> LoginAsync(string registry, string user, string password, string certDirectory) =>
        RunWithInputAsync(password, "login", "--authfile", AuthFile, "--cert-dir", certDirectory, "-u", user, "--password-stdin", registry);

    private static string Prepare(TempDirectory temp, string program)
    {
        var dir = temp.CreateSubdirectory(program + "-" + Guid.NewGuid().ToString("N")[..6]);
        foreach (var sub in new[] { "root", "runroot", "tmp", "networks", "home", "xdg-runtime", "var-lib/containers", "etc-containers" })
        {
            System.IO.Directory.CreateDirectory(Path.Combine(dir, sub));
        }

        var etc = Path.Combine(dir, "etc-containers");
        File.WriteAllText(Path.Combine(dir, "auth.json"), "{}\n");
        File.WriteAllText(Path.Combine(etc, "policy.json"), """{ "default": [ { "type": "insecureAcceptAnything" } ] }""" + "\n");
        File.WriteAllText(Path.Combine(etc, "registries.conf"), "");
        File.WriteAllText(Path.Combine(etc, "containers.conf"), "");
        File.WriteAllText(Path.Combine(etc, "storage.conf"), $"""
            [storage]
            driver = "vfs"
            runroot = "{Path.Combine(dir, "runroot")}"
            graphroot = "{Path.Combine(dir, "root")}"

            """);
        return dir;
    }
}
