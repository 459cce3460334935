using System.Globalization;

namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Runs the real skopeo (1.9.3) with a private auth file, an accept-anything policy and an empty
/// registries.conf, all under a temp folder. containers/image also keeps a blob-info cache (it then tries
/// cross-repository mounts of blobs it has seen before), for root in /var/lib/containers/cache, which no option of
/// skopeo 1.9 moves: as root each command runs in a private mount namespace (<see cref="PrivateMountNamespace"/>) where this instance's own folder is
/// mounted there; otherwise the cache goes to XDG_DATA_HOME, also in this instance's folder. Either way the commands
/// of one instance share a cache, as on a user's machine, and nothing else sees it.
/// </summary>
public sealed class Skopeo
{
    private Skopeo(string directory)
    {
        Directory = directory;
    }

    public string Directory { get; }

    /// <summary>--authfile / REGISTRY_AUTH_FILE used by every command.</summary>
    public string AuthFile => Path.Combine(Directory, "auth.json");

    public string PolicyFile => Path.Combine(Directory, "policy.json");

    /// <summary>Bound for each command.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(3);

    public static Skopeo Create(TempDirectory temp)
    {
        var dir = temp.CreateSubdirectory("skopeo-" + Guid.NewGuid().ToString("N")[..6]);
        var skopeo = new Skopeo(dir);
        File.WriteAllText(skopeo.AuthFile, "{}\n");
        File.WriteAllText(skopeo.PolicyFile, """{ "default": [ { "type": "insecureAcceptAnything" } ] }""" + "\n");
        File.WriteAllText(Path.Combine(dir, "registries.conf"), "");
        System.IO.Directory.CreateDirectory(Path.Combine(dir, "registries.d"));
        System.IO.Directory.CreateDirectory(Path.Combine(dir, "tmp"));
        System.IO.Directory.CreateDirectory(Path.Combine(dir, "var-lib", "containers"));
        return skopeo;
    }

    /// <summary>Runs <c>skopeo [global options] ARGS</c>; global options (policy, registries.d, tmpdir) come first.</summary>
    public Task<CommandResult> RunAsync(params string[] args) => RunWithInputAsync(null, args);

    public async Task<CommandResult> RunWithInputAsync(string? standardInput, params string[] args)
    {
        string[] skopeo =
        [
            "--policy", PolicyFile,
            "--registries.d", Path.Combine(Directory, "registries.d"),
            "--tmpdir", Path.Combine(Directory, "tmp"),
            .. args,
        ];
        var environment = new Dictionary<string, string?>
        {
            ["REGISTRY_AUTH_FILE"] = AuthFile,
            ["CONTAINERS_REGISTRIES_CONF"] = Path.Combine(Directory, "registries.conf"),
            ["TMPDIR"] = Path.Combine(Directory, "tmp"),
            ["XDG_DATA_HOME"] = Path.Combine(Directory, "data"),
            ["SKOPEO_VAR_LIB"] = Path.Combine(Directory, "var-lib"),
        };

        var (program, arguments) = await PrivateMountNamespace.UnavailableReasonAsync().ConfigureAwait(false) is null
            ? PrivateMountNamespace.Command(PrivateCacheScript, "skopeo", skopeo)
            : ("skopeo", skopeo);
        return await CommandRunner.RunAsync(program, arguments, Timeout, environment, standardInput, Directory).ConfigureAwait(false);
    }

    /// <summary>
    /// In the private mount namespace: this instance's var-lib/containers on /var/lib/containers (its var-lib on
    /// /var/lib where that folder does not exist, so it is not created on the machine). <c>-n</c>: without it libmount
    /// creates <c>/run/mount</c> (its utab folder) in the machine's /run, which this namespace shares.
    /// </summary>
    private const string PrivateCacheScript =
        "target=/var/lib/containers; source=\"$SKOPEO_VAR_LIB/containers\"; " +
        "[ -d \"$target\" ] || { target=/var/lib; source=\"$SKOPEO_VAR_LIB\"; }; " +
        "mount -n --bind \"$source\" \"$target\"";

    /// <summary>
    /// <c>skopeo copy SOURCE DESTINATION</c>; <paramref name="access"/> applies to each docker:// side
    /// (default: the auth file's credentials, TLS verified, system CAs). Extra arguments are appended.
    /// </summary>
    public Task<CommandResult> CopyAsync(string source, string destination, SkopeoAccess? access = null, params string[] extraArgs)
    {
        List<string> args = ["copy", "--authfile", AuthFile];
        if (access is not null)
        {
            if (source.StartsWith("docker://", StringComparison.Ordinal))
            {
                args.AddRange(access.ToArguments("src"));
            }

            if (destination.StartsWith("docker://", StringComparison.Ordinal))
            {
                args.AddRange(access.ToArguments("dest"));
            }

            if (access.RetryTimes > 0)
            {
                args.Add("--retry-times=" + access.RetryTimes.ToString(CultureInfo.InvariantCulture));
            }
        }

        args.AddRange(extraArgs);
        args.Add(source);
        args.Add(destination);
        return RunAsync([.. args]);
    }

    /// <summary><c>skopeo inspect --raw IMAGE</c>: stdout is the manifest, byte for byte (as UTF-8 text).</summary>
    public Task<CommandResult> InspectRawAsync(string image, SkopeoAccess? access = null)
    {
        List<string> args = ["inspect", "--raw", "--authfile", AuthFile];
        if (access is not null)
        {
            args.AddRange(access.ToArguments(null));
            if (access.RetryTimes > 0)
            {
                args.Add("--retry-times=" + access.RetryTimes.ToString(CultureInfo.InvariantCulture));
            }
        }

        args.Add(image);
        return RunAsync([.. args]);
    }

    /// <summary><c>skopeo login REGISTRY -u USER --password-stdin</c> into the private auth file.</summary>
    public Task<CommandResult> LoginAsync(string registry, string user, string password, SkopeoAccess? access = null)
    {
        List<string> args = ["login", "--authfile", AuthFile, "-u", user, "--password-stdin"];
        if (access?.CertDirectory is not null)
        {
            args.Add("--cert-dir=" + access.CertDirectory);
        }

        args.Add($"--tls-verify={(access?.TlsVerify ?? true ? "true" : "false")}");
        args.Add(registry);
        return RunWithInputAsync(password, [.. args]);
    }

    public Task<CommandResult> LogoutAsync(string registry) => RunAsync("logout", "--authfile", AuthFile, registry);
}
