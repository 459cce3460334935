using System.Globalization;

namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>
/// containerd's own client, <c>ctr</c> (1.6), against a private containerd (the one a <see cref="DockerEngine"/> runs),
/// in a namespace of its own, with a hosts folder (<c>--hosts-dir</c>) of its own: for 127.0.0.1 ctr speaks plain HTTP
/// unless a <c>hosts.toml</c> names the https host, with the test CA. ctr has no login: every command carries
/// <c>--user</c>. Non-zero exit codes are returned, not thrown.
/// </summary>
public sealed class Ctr
{
    private readonly string _socket;

    private Ctr(string socket, string hostsDirectory, string ns)
    {
        _socket = socket;
        HostsDirectory = hostsDirectory;
        Namespace = ns;
    }

    /// <summary>The <c>--hosts-dir</c> folder (one <c>host:port/hosts.toml</c> per registry).</summary>
    public string HostsDirectory { get; }

    /// <summary>The containerd namespace of this instance's images.</summary>
    public string Namespace { get; }

    /// <summary>Bound for each command.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>An instance using <paramref name="engine"/>'s containerd; its hosts folder lives in <paramref name="temp"/>.</summary>
    public static Ctr Create(DockerEngine engine, TempDirectory temp, string ns = "gateway-e2e") =>
        new(engine.ContainerdSocket, temp.CreateSubdirectory("ctr-hosts-" + Guid.NewGuid().ToString("N")[..6]), ns);

    /// <summary>Trusts <paramref name="caPath"/> for <c>https://</c><paramref name="hostPort"/>, for pull, resolve and push.</summary>
    public void AddHost(string hostPort, string caPath)
    {
        var dir = Directory.CreateDirectory(Path.Combine(HostsDirectory, hostPort)).FullName;
        File.WriteAllText(Path.Combine(dir, "hosts.toml"), string.Create(CultureInfo.InvariantCulture, $"""
            [host."https://{hostPort}"]
              capabilities = ["pull", "resolve", "push"]
              ca = "{caPath}"

            """));
    }

    /// <summary>Runs <c>ctr --address … --namespace … ARGS</c>.</summary>
    public Task<CommandResult> RunAsync(params string[] args) =>
        CommandRunner.RunAsync("ctr", ["--address", _socket, "--namespace", Namespace, .. args], Timeout);

    /// <summary><c>ctr images pull --hosts-dir … --user USER:PASSWORD REF</c>.</summary>
    public Task<CommandResult> PullAsync(string reference, string user, string password) =>
        RunAsync("images", "pull", "--hosts-dir", HostsDirectory, "--user", $"{user}:{password}", reference);

    /// <summary><c>ctr images push --hosts-dir … --user USER:PASSWORD REF</c>.</summary>
    public Task<CommandResult> PushAsync(string reference, string user, string password) =>
        RunAsync("images", "push", "--hosts-dir", HostsDirectory, "--user", $"{user}:{password}", reference);
}
