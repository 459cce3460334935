using System.Net.Http.Headers;
using System.Text;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.EndToEnd.Tests.Observability;

/// <summary>
/// A real registry behind a <see cref="RecordingHop"/> (to see the <c>traceparent</c> it receives), Redis, and the gateway
/// as two processes: one silo and one edge (HTTPS, the test PKI), both exporting traces, metrics and logs over
/// OTLP/HTTP to an <see cref="OtlpReceiver"/>. Lockout and pull limits are low, so the tests can trigger them with
/// users of their own.
/// </summary>
public sealed class ObservabilityClusterFixture : IAsyncLifetime
{
    public const string User = "otel-robot";
    public const string Password = "Tr4ce-me-not-7Qx";
    public const string LockoutUser = "otel-locked";
    public const string LockoutPassword = "otel-locked-pw-1";
    public const string LimitedUser = "otel-limited";
    public const string LimitedPassword = "otel-limited-pw-1";
    public const string BcryptUser = "otel-bcrypt";
    public const string BcryptPassword = "otel-bcrypt-pw-1";
    public const string ServiceName = "registry-gateway-e2e";

    /// <summary>The service the edge's token server issues tokens for.</summary>
    public const string TokenService = "otel-e2e-registry";

    /// <summary>Failed logins of one user from one address that lock the pair (Gateway:Lockout:MaxFailures).</summary>
    public const int MaxFailures = 3;

    /// <summary>Manifest GETs per user and window (Gateway:RateLimit:Pulls:Limit).</summary>
    public const int PullLimit = 3;

    public TempDirectory Temp { get; } = TempDirectory.Create();

    public TestPki Pki { get; private set; } = null!;

    public RegistryServer Registry { get; private set; } = null!;

    public RecordingHop Hop { get; private set; } = null!;

    public RedisServer Redis { get; private set; } = null!;

    public OtlpReceiver Receiver { get; private set; } = null!;

    public GatewayNode Silo { get; private set; } = null!;

    public GatewayNode Edge { get; private set; } = null!;

    /// <summary>The options both nodes share (cluster id, secret, Redis, backend).</summary>
    public GatewayNodeOptions Template { get; private set; } = null!;

    public string HtpasswdPath => Temp.Combine("htpasswd");

    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    /// <summary>An HttpClient to the edge that trusts the test PKI.</summary>
    public HttpClient CreateEdgeClient() => Edge.CreateClient(Pki.Root);

    public async Task InitializeAsync()
    {
        Pki = TestPki.Create(Temp);
        await Htpasswd.CreateAsync(HtpasswdPath, 6, (User, Password), (LockoutUser, LockoutPassword), (LimitedUser, LimitedPassword), (BcryptUser, BcryptPassword));
        Registry = await RegistryServer.StartAsync(Temp);
        Hop = RecordingHop.Start(Registry.BaseUrl);
        Redis = await RedisServer.StartAsync(Temp);
        Receiver = OtlpReceiver.Start();

        var environment = new Dictionary<string, string?>(Receiver.ExporterEnvironment(ServiceName))
        {
            ["Gateway__Lockout__MaxFailures"] = MaxFailures.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Gateway__RateLimit__Pulls__Limit"] = PullLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        Template = new GatewayNodeOptions
        {
            BackendUrls = [Hop.BaseUrl.ToString().TrimEnd('/')],
            HtpasswdFile = HtpasswdPath,
            Environment = environment,
        }.WithRedis(Redis);

        // The edge also runs the token server (its metrics and the token requests panel need one).
        var tokenKey = Temp.Combine("token.key");
        using (var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256))
        {
            await File.WriteAllTextAsync(tokenKey, key.ExportPkcs8PrivateKeyPem());
        }

        var edgeEnvironment = new Dictionary<string, string?>(environment)
        {
            ["Gateway__Token__SigningKey"] = tokenKey,
            ["Gateway__Token__Issuer"] = "otel-e2e-issuer",
            ["Gateway__Token__Service"] = TokenService,
        };

        Silo = await GatewayNode.StartAsync(Template with { Role = "silo" });
        Edge = await GatewayNode.StartAsync((Template with { Role = "edge", Environment = edgeEnvironment }).WithTls(Pki));
    }

    public async Task DisposeAsync()
    {
        foreach (var disposable in new IAsyncDisposable?[] { Edge, Silo, Hop, Registry, Redis, Receiver })
        {
            if (disposable is not null)
            {
                await disposable.DisposeAsync();
            }
        }

        Pki?.Dispose();
        Temp.Dispose();
    }
}
