using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A real OpenID provider (npm <c>oidc-provider</c> on Node, the script in <c>Infrastructure/oidc-provider</c>) over
/// HTTPS on a free loopback port, with a certificate from the test CA: discovery and JWKS as a CI system's issuer
/// serves them, RS256 and ES256 keys, tokens minted with chosen claims for a test, and key rotation on demand.
/// Its npm packages are installed from the lockfile (<c>npm ci</c>) the first time a test needs them, once per machine.
/// </summary>
public sealed class OidcProvider : IAsyncDisposable
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);
    private readonly string _adminToken;
    private readonly HttpClient _http;

    private OidcProvider(int port, ManagedProcess process, string adminToken, HttpClient http)
    {
        Port = port;
        Process = process;
        _adminToken = adminToken;
        _http = http;
    }

    /// <summary>The folder of the provider script and its lockfile.</summary>
    public static string ScriptDirectory { get; } =
        Path.Combine(GatewayBuild.RepositoryRoot, "tests", "Gateway.EndToEnd.Tests", "Infrastructure", "oidc-provider");

    public int Port { get; }

    /// <summary>The issuer URL, <c>https://127.0.0.1:PORT</c> (the tokens' <c>iss</c>).</summary>
    public string Issuer => string.Create(CultureInfo.InvariantCulture, $"https://127.0.0.1:{Port}");

    public ManagedProcess Process { get; }

    /// <summary>Starts the provider with the server certificate of <paramref name="pki"/> (clients trust its <c>ca.crt</c>).</summary>
    public static async Task<OidcProvider> StartAsync(TestPki pki, int? port = null)
    {
        await EnsureInstalledAsync().ConfigureAwait(false);
        var chosen = port ?? FreePort.Next();
        var adminToken = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var process = ManagedProcess.Start(
            "node",
            [Path.Combine(ScriptDirectory, "provider.mjs"), "--port", chosen.ToString(CultureInfo.InvariantCulture),
             "--cert", pki.ServerCertificatePath, "--key", pki.ServerKeyPath, "--admin-token", adminToken],
            workingDirectory: ScriptDirectory,
            name: "oidc-provider");
        var http = TestHttp.CreateClient(new Uri($"https://127.0.0.1:{chosen}/"), pki.Root, TimeSpan.FromSeconds(30));
        var provider = new OidcProvider(chosen, process, adminToken, http);
        try
        {
            await process.WaitForLineAsync(l => l.Contains("oidc-provider ready on", StringComparison.Ordinal), TimeSpan.FromSeconds(60)).ConfigureAwait(false);
            return provider;
        }
        catch
        {
            await provider.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Mints a token signed by the provider's current key (or, with <see cref="TokenRequest.UnknownKey"/>, by a key it never published).</summary>
    public async Task<string> MintAsync(TokenRequest request)
    {
        var body = new JsonObject
        {
            ["alg"] = request.Algorithm,
            ["claims"] = JsonSerializer.SerializeToNode(request.Claims),
            ["audience"] = request.Audience is null ? null : JsonValue.Create(request.Audience),
            ["expiresIn"] = (long)request.Lifetime.TotalSeconds,
            ["unknownKey"] = request.UnknownKey,
        };
        if (request.Issuer is not null)
        {
            body["issuer"] = request.Issuer;
        }

        if (request.IssuedAt is { } issuedAt)
        {
            body["issuedAt"] = issuedAt.ToUnixTimeSeconds();
        }

        var answer = await AdminAsync(HttpMethod.Post, "admin/mint", body).ConfigureAwait(false);
        return answer["token"]!.GetValue<string>();
    }

    /// <summary>Rotates the signing keys; <paramref name="keepOld"/> keeps the previous ones published. Answers the new key ids.</summary>
    public async Task<IReadOnlyList<string>> RotateAsync(bool keepOld)
    {
        var answer = await AdminAsync(HttpMethod.Post, "admin/rotate", new JsonObject { ["keepOld"] = keepOld }).ConfigureAwait(false);
        return answer["kids"]!.AsArray().Select(k => k!.GetValue<string>()).ToList();
    }

    /// <summary>How often discovery and the JWKS were fetched, and the published key ids.</summary>
    public async Task<ProviderState> GetStateAsync()
    {
        var answer = await AdminAsync(HttpMethod.Get, "admin/state", null).ConfigureAwait(false);
        return new ProviderState(
            answer["discovery"]!.GetValue<int>(),
            answer["jwks"]!.GetValue<int>(),
            answer["kids"]!.AsArray().Select(k => k!.GetValue<string>()).ToList());
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Process.DisposeAsync().ConfigureAwait(false);
    }

    private async Task<JsonNode> AdminAsync(HttpMethod method, string path, JsonNode? body)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new("Bearer", _adminToken);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await _http.SendAsync(request).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"oidc-provider {path}: {(int)response.StatusCode} {text}");
        }

        return JsonNode.Parse(text)!;
    }

    /// <summary><c>npm ci</c> from the lockfile when <c>node_modules</c> is missing (CI installs it up front), with a cache of its own.</summary>
    private static async Task EnsureInstalledAsync()
    {
        await InstallLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (File.Exists(Path.Combine(ScriptDirectory, "node_modules", "oidc-provider", "package.json")))
            {
                return;
            }

            // npm keeps its cache and debug logs in ~/.npm: a folder of the run's own instead, thrown away after.
            using var cache = TempDirectory.Create();
            var result = await CommandRunner.RunAsync(
                "npm",
                ["ci", "--no-audit", "--no-fund", "--prefix", ScriptDirectory],
                TimeSpan.FromMinutes(3),
                new Dictionary<string, string?> { ["npm_config_cache"] = cache.Path, ["npm_config_update_notifier"] = "false" }).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"npm ci in {ScriptDirectory} failed ({result.ExitCode}):\n{result.Output}");
            }
        }
        finally
        {
            InstallLock.Release();
        }
    }

    /// <summary>What to mint: claims besides iss/iat/exp/aud/jti, the audience (null: none), lifetime and algorithm.</summary>
    public sealed record TokenRequest(IReadOnlyDictionary<string, object> Claims)
    {
        public string Algorithm { get; init; } = "RS256";

        public string? Audience { get; init; } = "registry-gateway";

        public TimeSpan Lifetime { get; init; } = TimeSpan.FromMinutes(5);

        /// <summary>Overrides <c>iss</c> (a token from another issuer signed with a real key).</summary>
        public string? Issuer { get; init; }

        /// <summary>Overrides <c>iat</c> (exp = iat + lifetime): an already expired token.</summary>
        public DateTimeOffset? IssuedAt { get; init; }

        /// <summary>Signs with a fresh key that was never published.</summary>
        public bool UnknownKey { get; init; }
    }

    /// <summary>The provider's counters.</summary>
    public sealed record ProviderState(int DiscoveryFetches, int JwksFetches, IReadOnlyList<string> KeyIds);
}
