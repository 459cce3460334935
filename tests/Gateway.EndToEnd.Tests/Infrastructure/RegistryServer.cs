using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>Debian's docker-registry 2.8.2 on 127.0.0.1 with a config written here (the packaged one is broken).</summary>
public sealed class RegistryServer : IAsyncDisposable
{
    private RegistryServer(int port, string scheme, string storage, string configPath, string secret, ManagedProcess process)
    {
        Port = port;
        BaseUrl = new Uri(string.Create(CultureInfo.InvariantCulture, $"{scheme}://127.0.0.1:{port}"));
        StorageDirectory = storage;
        ConfigPath = configPath;
        HttpSecret = secret;
        Process = process;
    }

    public int Port { get; }

    /// <summary>http(s)://127.0.0.1:port (no trailing slash in ToString()).</summary>
    public Uri BaseUrl { get; }

    /// <summary>"127.0.0.1:port", as used in image references.</summary>
    public string HostPort => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    public string StorageDirectory { get; }

    public string ConfigPath { get; }

    public string HttpSecret { get; }

    /// <summary>The registry process; its log (requests, traceparent headers…) is <c>Process.Output</c>.</summary>
    public ManagedProcess Process { get; }

    public string Output => Process.Output;

    public static async Task<RegistryServer> StartAsync(TempDirectory temp, RegistryOptions? options = null, TimeSpan? timeout = null)
    {
        options ??= new RegistryOptions();
        var port = options.Port ?? FreePort.Next();
        var dir = temp.CreateSubdirectory($"registry-{port}");
        var storage = options.StorageDirectory ?? Path.Combine(dir, "storage");
        Directory.CreateDirectory(storage);
        var secret = options.HttpSecret ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var configPath = Path.Combine(dir, "config.yml");
        await File.WriteAllTextAsync(configPath, BuildConfig(options, port, storage, secret)).ConfigureAwait(false);

        var process = ManagedProcess.Start("docker-registry", ["serve", configPath], workingDirectory: dir, name: "docker-registry");
        var scheme = options.TlsCertificatePath is null ? "http" : "https";
        var server = new RegistryServer(port, scheme, storage, configPath, secret, process);
        try
        {
            using var http = TestHttp.CreateClient(timeout: TimeSpan.FromSeconds(5));
            var probe = new Uri(server.BaseUrl, "/v2/");
            await Poll.UntilAsync(
                async ct =>
                {
                    using var response = await http.GetAsync(probe, ct).ConfigureAwait(false);
                    return true; // any status: it is serving
                },
                timeout ?? TimeSpan.FromSeconds(30),
                $"registry at {probe}",
                process).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();

    private static string BuildConfig(RegistryOptions options, int port, string storage, string secret)
    {
        var yaml = new StringBuilder();
        yaml.AppendLine("version: 0.1");
        yaml.AppendLine("log:");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"  level: {options.LogLevel}");
        yaml.AppendLine("  fields:");
        yaml.AppendLine("    service: registry");
        yaml.AppendLine("storage:");
        yaml.AppendLine("  filesystem:");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"    rootdirectory: {Quote(storage)}");
        yaml.AppendLine("  delete:");
        yaml.AppendLine("    enabled: true");
        yaml.AppendLine("  maintenance:");
        yaml.AppendLine("    uploadpurging:");
        yaml.AppendLine("      enabled: false");
        yaml.AppendLine("http:");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"  addr: 127.0.0.1:{port}");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"  secret: {Quote(secret)}");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"  relativeurls: {(options.RelativeUrls ? "true" : "false")}");
        yaml.AppendLine("  headers:");
        yaml.AppendLine("    X-Content-Type-Options: [nosniff]");
        if (options.TlsCertificatePath is not null)
        {
            yaml.AppendLine("  tls:");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"    certificate: {Quote(options.TlsCertificatePath)}");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"    key: {Quote(options.TlsKeyPath ?? throw new ArgumentException("TlsKeyPath is required with TlsCertificatePath."))}");
        }

        if (options.TokenAuth is { } token)
        {
            yaml.AppendLine("auth:");
            yaml.AppendLine("  token:");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"    realm: {Quote(token.Realm)}");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"    service: {Quote(token.Service)}");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"    issuer: {Quote(token.Issuer)}");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"    rootcertbundle: {Quote(token.RootCertBundle)}");
        }

        return yaml.ToString();
    }

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
