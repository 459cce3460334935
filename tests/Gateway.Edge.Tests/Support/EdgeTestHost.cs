using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Gateway.Edge.Access;
using Gateway.Edge.Access.Admit;
using Gateway.Edge.Access.Identify.Htpasswd;
using Gateway.Edge.Access.Identify.Passwords;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Edge.Tests.Support;

/// <summary>
/// A real edge (the production wiring: <c>AddRegistryEdge</c> + <c>MapRegistryEdge</c>) on a loopback Kestrel port,
/// in front of a <see cref="FakeBackend"/>, with the grain cache replaced by <see cref="InMemoryAccessGrains"/>.
/// The htpasswd file holds <c>alice</c> / <c>s3cret</c> at bcrypt cost 4.
/// </summary>
public sealed class EdgeTestHost : IAsyncDisposable
{
    public const string User = "alice";
    public const string Password = "s3cret";
    public const string Realm = "Test Realm";

    private readonly WebApplication _app;
    private readonly string _directory;

    private EdgeTestHost(WebApplication app, FakeBackend backend, InMemoryAccessGrains cache, string directory, string htpasswdPath)
    {
        _app = app;
        Backend = backend;
        Cache = cache;
        _directory = directory;
        HtpasswdPath = htpasswdPath;
        BaseAddress = new Uri(app.Urls.First());
        // Redirects are answers to look at (a locked login check is a 303), never followed.
        Client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = BaseAddress };
    }

    public FakeBackend Backend { get; }

    public InMemoryAccessGrains Cache { get; }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public string HtpasswdPath { get; }

    /// <summary>The folder holding the htpasswd file (and <c>acl.yml</c> when an ACL was given).</summary>
    public string Folder => _directory;

    public IServiceProvider Services => _app.Services;

    /// <summary>Every address the edge listens on, in the order its endpoints were configured.</summary>
    public IReadOnlyList<Uri> Urls => _app.Urls.Select(u => new Uri(u)).ToArray();

    /// <param name="settings">Configuration on top of the defaults.</param>
    /// <param name="backendUrl">The backend URL to configure instead of the fake backend's.</param>
    /// <param name="users">More htpasswd users (name → password) besides <see cref="User"/>.</param>
    /// <param name="acl">ACL file text: written to <c>acl.yml</c> and configured as <c>Gateway:Auth:AclFile</c>.</param>
    /// <param name="configure">Extra changes to the configuration, given the folder the files are in.</param>
    /// <param name="configureBuilder">Changes to the host builder (logging, Kestrel endpoints) before it is built.</param>
    public static async Task<EdgeTestHost> StartAsync(
        IDictionary<string, string?>? settings = null,
        Func<FakeBackend, string>? backendUrl = null,
        IReadOnlyDictionary<string, string>? users = null,
        string? acl = null,
        Action<string, IDictionary<string, string?>>? configure = null,
        Action<WebApplicationBuilder>? configureBuilder = null)
    {
        var directory = Directory.CreateTempSubdirectory("gw-edge-").FullName;
        FakeBackend? backend = null;
        WebApplication? app = null;
        try
        {
            var htpasswd = Path.Combine(directory, "htpasswd");
            var lines = new System.Text.StringBuilder();
            foreach (var (name, password) in new[] { KeyValuePair.Create(User, Password) }.Concat(users ?? new Dictionary<string, string>()))
            {
                lines.Append(name).Append(':').Append(BCrypt.Net.BCrypt.HashPassword(password, 4).Replace("$2a$", "$2y$", StringComparison.Ordinal)).Append('\n');
            }

            await File.WriteAllTextAsync(htpasswd, lines.ToString());
            backend = await FakeBackend.StartAsync();

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
            if (acl is not null)
            {
                var aclPath = Path.Combine(directory, "acl.yml");
                await File.WriteAllTextAsync(aclPath, acl);
                config["Gateway:Auth:AclFile"] = aclPath;
            }

            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                config[key] = value;
            }

            configure?.Invoke(directory, config);

            builder.Configuration.AddInMemoryCollection(config);
            var cache = new InMemoryAccessGrains();
            builder.Services.AddSingleton(TimeProvider.System);
            builder.Services.AddSingleton(new FingerprintKey(RandomNumberGenerator.GetBytes(32)));
            builder.Services.AddRegistryEdge(builder.Configuration);

            builder.Services.AddSingleton<IAccessGrains>(cache);
            configureBuilder?.Invoke(builder);
            app = builder.Build();
            app.UseRegistryClientAddress();
            app.MapRegistryEdge();
            await app.StartAsync();
            return new EdgeTestHost(app, backend, cache, directory, htpasswd);
        }
        catch
        {
            // A start that fails (bad settings, as the validation tests want) leaves no server running and no folder in /tmp.
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            if (backend is not null)
            {
                await backend.DisposeAsync();
            }

            DeleteFolder(directory);
            throw;
        }
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
        DeleteFolder(_directory);
    }

    private static void DeleteFolder(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
