using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Gateway.Deploy.Tests.Support;

namespace Gateway.Deploy.Tests;

/// <summary>
/// deploy/registry/config.yml, run by the registry itself (Debian's docker-registry 2.8, the registry:2.8 image's
/// version): it starts with it, uses no blob descriptor cache (the stock one is per replica), and on SIGTERM drains
/// for the transfer limit instead of exiting at once.
/// </summary>
public sealed class RegistryConfigTests
{
    [RequiresToolFact("docker-registry", "docker-registry")]
    public async Task RegistryConfig_StartsRegistry28_WithoutABlobDescriptorCache_AndDrainsFor15MinutesOnSigterm()
    {
        var storage = Directory.CreateTempSubdirectory("gw-registry-").FullName;
        var port = FreePort();
        var info = new ProcessStartInfo("docker-registry")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "serve", Repository.PathOf("deploy/registry/config.yml") })
        {
            info.ArgumentList.Add(argument);
        }

        // Only what differs on this machine: a temporary storage folder, a loopback port, a secret.
        info.Environment["REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY"] = storage;
        info.Environment["REGISTRY_HTTP_ADDR"] = $"127.0.0.1:{port}";
        info.Environment["REGISTRY_HTTP_SECRET"] = "test-only-secret";
        using var registry = Process.Start(info)!;
        var output = new System.Text.StringBuilder();
        registry.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        registry.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        registry.BeginOutputReadLine();
        registry.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            var answered = false;
            for (var i = 0; i < 100 && !answered && !registry.HasExited; i++)
            {
                try
                {
                    using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/v2/"));
                    answered = response.StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(100);
                }
            }

            Assert.True(answered, $"the registry did not answer: {output}");
            Signal(registry.Id, 15); // SIGTERM, as the kubelet or Docker sends it
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await registry.WaitForExitAsync(wait.Token); // no request in flight: it drains nothing and exits
            var log = output.ToString();
            Assert.Contains("Draining connections for 15m0s", log, StringComparison.Ordinal);
            Assert.DoesNotContain("blob descriptor cache", log, StringComparison.Ordinal); // "using inmemory blob descriptor cache" with the stock config
        }
        finally
        {
            if (!registry.HasExited)
            {
                registry.Kill();
            }

            Directory.Delete(storage, recursive: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

#pragma warning disable SYSLIB1054 // plain DllImport: int arguments only
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Signal(int pid, int signal);
#pragma warning restore SYSLIB1054
}
