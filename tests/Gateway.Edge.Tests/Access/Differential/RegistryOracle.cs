using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateway.Edge.Tests.Access.Differential;

/// <summary>
/// The registry's own reading of a request: <c>Oracle/registry_oracle.go</c>, built here from Debian's Go
/// (<c>golang-go</c>) and distribution 2.8.2 source (<c>golang-github-docker-distribution-dev</c>) in GOPATH mode,
/// offline, and run as one long-lived process. Each request's bytes go through Go's <c>net/http</c> server into the
/// registry's router and its <c>App</c>, whose access check reports the access records the registry asks for.
/// </summary>
public sealed class RegistryOracle : IAsyncDisposable
{
    /// <summary>Where Debian installs Go source packages.</summary>
    public const string GoPath = "/usr/share/gocode";

    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };
    private readonly Process _process;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private RegistryOracle(Process process) => _process = process;

    /// <summary>Builds the oracle (cached next to the test assembly) and starts it.</summary>
    public static async Task<RegistryOracle> StartAsync()
    {
        var source = FindSource();
        var folder = Path.Combine(AppContext.BaseDirectory, "registry-oracle");
        Directory.CreateDirectory(folder);
        var binary = Path.Combine(folder, "registry-oracle");
        if (!File.Exists(binary) || File.GetLastWriteTimeUtc(binary) < File.GetLastWriteTimeUtc(source))
        {
            await BuildAsync(source, folder, binary);
        }

        var process = Process.Start(new ProcessStartInfo(binary)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("the registry oracle did not start");
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        return new RegistryOracle(process);
    }

    /// <summary>The registry's reading of each connection's bytes, in order.</summary>
    public async Task<IReadOnlyList<OracleResult>> ReadAsync(IReadOnlyList<byte[]> connections)
    {
        await _gate.WaitAsync();
        try
        {
            var input = _process.StandardInput.BaseStream;
            var writing = Task.Run(async () =>
            {
                var header = new byte[4];
                foreach (var bytes in connections)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(header, (uint)bytes.Length);
                    await input.WriteAsync(header);
                    await input.WriteAsync(bytes);
                }

                await input.FlushAsync();
            });

            var results = new List<OracleResult>(connections.Count);
            for (var i = 0; i < connections.Count; i++)
            {
                var line = await _process.StandardOutput.ReadLineAsync()
                    ?? throw new InvalidOperationException($"the registry oracle stopped (exit code {(_process.HasExited ? _process.ExitCode : -1)})");
                results.Add(JsonSerializer.Deserialize<OracleResult>(line, Json)!);
            }

            await writing;
            return results;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
        _gate.Dispose();
    }

    private static string FindSource()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "Gateway.Edge.Tests", "Access", "Differential", "Oracle", "registry_oracle.go");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("Oracle/registry_oracle.go not found above " + AppContext.BaseDirectory);
    }

    private static async Task BuildAsync(string source, string folder, string binary)
    {
        if (!Directory.Exists(Path.Combine(GoPath, "src", "github.com", "docker", "distribution", "registry", "handlers")))
        {
            throw new InvalidOperationException($"distribution 2.8.2's source is not in {GoPath}: install golang-go and golang-github-docker-distribution-dev (.ci/run does)");
        }

        var start = new ProcessStartInfo("go", ["build", "-o", binary + ".tmp", source])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = folder,
        };
        start.Environment["GO111MODULE"] = "off";
        start.Environment["GOPATH"] = GoPath;
        start.Environment["GOFLAGS"] = string.Empty;
        start.Environment["GOPROXY"] = "off";
        start.Environment["GOCACHE"] = Path.Combine(folder, "go-cache");
        start.Environment["HOME"] = folder;

        // go build's work folder (go-build*) and the compiler's temp files: in /tmp they would stay after a killed build.
        start.Environment["GOTMPDIR"] = start.Environment["TMPDIR"] = Directory.CreateDirectory(Path.Combine(folder, "tmp")).FullName;
        using var go = Process.Start(start) ?? throw new InvalidOperationException("go did not start: install golang-go");
        var output = go.StandardOutput.ReadToEndAsync();
        var errors = go.StandardError.ReadToEndAsync();
        await go.WaitForExitAsync();
        if (go.ExitCode != 0)
        {
            throw new InvalidOperationException($"building the registry oracle failed ({go.ExitCode}): {await output}{await errors}");
        }

        File.Move(binary + ".tmp", binary, overwrite: true);
    }
}

/// <summary>The oracle's answer for one connection's bytes (see <c>registry_oracle.go</c>).</summary>
public sealed record OracleResult(
    [property: JsonPropertyName("router")] IReadOnlyList<OracleSeen> Router,
    [property: JsonPropertyName("access")] IReadOnlyList<OracleSeen> Access,
    [property: JsonPropertyName("statuses")] IReadOnlyList<int> Statuses);

/// <summary>What one of the oracle's handlers saw of one request.</summary>
public sealed record OracleSeen(
    string Method,
    string Route,
    string Name,
    bool NameValid,
    string? Reference,
    string? Digest,
    string? Uuid,
    string From,
    string Mount,
    IReadOnlyList<string> Access,
    string Host,
    string Path,
    string RawQuery);
