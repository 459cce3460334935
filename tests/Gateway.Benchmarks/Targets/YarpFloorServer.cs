using System.Globalization;
using Gateway.Benchmarks.Floor;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.Benchmarks.Targets;

/// <summary>The <c>yarp-floor</c> process: this benchmark's own executable in floor mode (<see cref="YarpFloorProgram"/>).</summary>
public sealed class YarpFloorServer : IAsyncDisposable
{
    private YarpFloorServer(ManagedProcess process, Uri baseUri)
    {
        Process = process;
        BaseUri = baseUri;
    }

    public ManagedProcess Process { get; }

    public Uri BaseUri { get; }

    public static async Task<YarpFloorServer> StartAsync(TestPki pki, Uri registry)
    {
        ArgumentNullException.ThrowIfNull(pki);
        ArgumentNullException.ThrowIfNull(registry);
        var port = FreePort.Next();
        var self = typeof(YarpFloorProgram).Assembly.Location;

        // The gateway's runtime settings (Gateway.Host.csproj): workstation concurrent GC, no thread-pool spinning.
        var environment = new Dictionary<string, string?>
        {
            ["DOTNET_gcServer"] = "0",
            ["DOTNET_gcConcurrent"] = "1",
            ["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0",
        };
        var process = ManagedProcess.Start(
            "dotnet",
            [self, "yarp-floor", "--port", port.ToString(CultureInfo.InvariantCulture), "--backend", registry.ToString().TrimEnd('/'), "--cert", pki.ServerCertificatePath, "--key", pki.ServerKeyPath],
            environment,
            name: $"yarp-floor:{port}");
        try
        {
            await process.WaitForLineAsync(l => l.Contains(YarpFloorProgram.ReadyLine, StringComparison.Ordinal), TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }
        catch
        {
            await process.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new YarpFloorServer(process, new Uri(string.Create(CultureInfo.InvariantCulture, $"https://127.0.0.1:{port}/")));
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();

    public override string ToString() => Process.ToString();
}
