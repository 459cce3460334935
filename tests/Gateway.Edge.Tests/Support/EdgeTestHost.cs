using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Gateway.Edge.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Edge.Tests.Support;

/// <summary>
/// A real edge (the production wiring: <c>AddRegistryEdge</c> + <c>MapRegistryEdge</c>) on a loopback Kestrel port,
/// in front of a <see cref="FakeBackend"/>, with the grain cache replaced by <see cref="InMemoryCredentialCache"/>.
/// The htpasswd file holds <c>alice</c> / <c>s3cret</c> at bcrypt cost 4.
/// </summary>
public sealed class EdgeTestHost : IAsyncDisposable
{
    public const string User = "alice";
    public const string Password = "s3cret";
    public const string Realm = "Test Realm";

    private readonly WebApplication _app;
    private readonly string _directory;

    private EdgeTestHost(WebApplication app, FakeBackend backend, InMemoryCredentialCache cache, string directory, string htpasswdPath)
    {
        _app = app;
        Backend = backend;
        Cache = cache;
        _directory = directory;
        HtpasswdPath = htpasswdPath;
        BaseAddress = new Uri(app.Urls.First());
        Client = new HttpClient { BaseAddress = BaseAddress };
    }

    public FakeBackend Backend { get; }

    public InMemoryCredentialCache Cache { get; }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public string HtpasswdPath { get; }

    public static async Task<EdgeTestHost> StartAsync(IDictionary<string, string?>? settings = null, Func<FakeBackend, string>? backendUrl = null)
    {
        var directory = Directory.CreateTempSubdirectory("gw-edge-").FullName;
        var htpasswd = Path.Combine(directory, "htpasswd");
        await File.WriteAllTextAsync(htpasswd, $"{User}:{BCrypt.Net.BCrypt.HashPassword(Password, 4).Replace("$2a$", "$2y$", StringComparison.Ordinal)}\n");
        var backend = await FakeBackend.StartAsync();

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var config = new Dictionary<string, string?>
        {
            ["Gateway:Backend:Urls:0"] = backendUrl?.Invoke(backend) ?? backend.BaseAddress.ToString().TrimEnd('/'),
            ["Gateway:Auth:HtpasswdFile"] = htpasswd,
            ["Gateway:Auth:Realm"] = Realm,
            ["Gateway:Auth:ReloadInterval"] = "00:00:00.2",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(config);
        var cache = new InMemoryCredentialCache();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(new FingerprintKey(RandomNumberGenerator.GetBytes(32)));
        builder.Services.AddRegistryEdge(builder.Configuration);
        builder.Services.AddSingleton<ICredentialCache>(cache);
        var app = builder.Build();
        app.UseRegistryClientAddress();
        app.MapRegistryEdge();
        await app.StartAsync();
        return new EdgeTestHost(app, backend, cache, directory, htpasswd);
    }

    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, AuthenticationHeaderValue? auth = null, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, path) { Headers = { Authorization = auth } };
        configure?.Invoke(request);
        return await Client.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Backend.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
