using System.Buffers.Text;
using System.Diagnostics.Metrics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.Edge.Access.Identify.Federation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Edge.Tests.Access.Identify.Federation;

/// <summary>
/// An OpenID issuer in memory for the federation unit tests: RSA and EC keys generated per test, discovery and JWKS
/// served through an <see cref="HttpMessageHandler"/> (fetches counted, outage switchable), tokens signed with the BCL,
/// and a validator wired to it on a <see cref="FakeTimeProvider"/>.
/// </summary>
public sealed class TestIssuer : HttpMessageHandler
{
    public const string Url = "https://issuer.test";
    public const string Audience = "registry.test";

    private readonly List<(string Kid, AsymmetricAlgorithm Key, string Alg)> _published = [];

    public TestIssuer()
    {
        Rotate(keepOld: false);
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        Metrics = new FederationMetrics(services.GetRequiredService<IMeterFactory>());
        Options = new FederationOptions
        {
            Issuers =
            [
                new TrustedIssuerOptions
                {
                    Issuer = Url,
                    Audience = Audience,
                    AccountTemplate = "ci/${claims:repository}",
                    RequiredClaims = { ["ref_protected"] = "true" },
                    Labels = { ["owner"] = "repository_owner", ["groups"] = "groups" },
                },
            ],
        };
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 3, 8, 0, 0, TimeSpan.Zero));

    public FederationOptions Options { get; }

    public FederationMetrics Metrics { get; }

    public RSA Rsa { get; private set; } = null!;

    public ECDsa Ec { get; private set; } = null!;

    public string RsaKid { get; private set; } = "";

    public string EcKid { get; private set; } = "";

    public int DiscoveryFetches { get; private set; }

    public int JwksFetches { get; private set; }

    /// <summary>While true every fetch fails (connection refused).</summary>
    public bool Down { get; set; }

    /// <summary>The validator over this issuer (one per call: fresh key caches).</summary>
    public FederatedTokenValidator CreateValidator() =>
        new(new TrustedIssuers(Options, Time, Metrics, NullLoggerFactory.Instance, (_, _) => new HttpClient(this, disposeHandler: false)),
            Microsoft.Extensions.Options.Options.Create(Options), Time, Metrics, NullLogger<FederatedTokenValidator>.Instance);

    /// <summary>New keys; the old ones stay published when <paramref name="keepOld"/>.</summary>
    public void Rotate(bool keepOld)
    {
        if (!keepOld)
        {
            _published.Clear();
        }

        Rsa = RSA.Create(2048);
        Ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        RsaKid = "rsa-" + Guid.NewGuid().ToString("N")[..8];
        EcKid = "ec-" + Guid.NewGuid().ToString("N")[..8];
        _published.Add((RsaKid, Rsa, "RS256"));
        _published.Add((EcKid, Ec, "ES256"));
    }

    /// <summary>Claims of a valid CI token at the fake clock's now.</summary>
    public Dictionary<string, object?> Claims(string repository = "acme/app") => new()
    {
        ["iss"] = Url,
        ["aud"] = Audience,
        ["sub"] = $"repo:{repository}:ref:refs/heads/main",
        ["repository"] = repository,
        ["repository_owner"] = repository.Split('/')[0],
        ["ref_protected"] = true,
        ["iat"] = Time.GetUtcNow().ToUnixTimeSeconds(),
        ["exp"] = Time.GetUtcNow().AddMinutes(5).ToUnixTimeSeconds(),
    };

    /// <summary>A token signed with the current RSA key (or EC with <paramref name="alg"/> ES256).</summary>
    public string Mint(Dictionary<string, object?> claims, string alg = "RS256", Dictionary<string, object?>? header = null, AsymmetricAlgorithm? key = null)
    {
        var head = new Dictionary<string, object?> { ["alg"] = alg, ["typ"] = "JWT", ["kid"] = alg == "ES256" ? EcKid : RsaKid };
        foreach (var (name, value) in header ?? [])
        {
            head[name] = value;
        }

        return Sign(Encode(JsonSerializer.SerializeToUtf8Bytes(head)) + "." + Encode(JsonSerializer.SerializeToUtf8Bytes(claims)), alg, key);
    }

    /// <summary>Signs <c>header.payload</c> text as given (for hand-made headers and payloads).</summary>
    public string Sign(string signingInput, string alg, AsymmetricAlgorithm? key = null)
    {
        var bytes = Encoding.ASCII.GetBytes(signingInput);
        var signature = (key ?? (alg == "ES256" ? Ec : Rsa)) switch
        {
            RSA rsa => rsa.SignData(bytes, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            ECDsa ec => ec.SignData(bytes, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
            _ => throw new ArgumentException("key"),
        };
        return signingInput + "." + Encode(signature);
    }

    public static string Encode(byte[] bytes) => Base64Url.EncodeToString(bytes);

    public static string Encode(string json) => Encode(Encoding.UTF8.GetBytes(json));

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Down)
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, "refused");
        }

        var path = request.RequestUri!.AbsolutePath;
        string body;
        if (path == "/.well-known/openid-configuration")
        {
            DiscoveryFetches++;
            body = JsonSerializer.Serialize(new { issuer = Url, jwks_uri = Url + "/jwks" });
        }
        else if (path == "/jwks")
        {
            JwksFetches++;
            body = JsonSerializer.Serialize(new { keys = _published.Select(Jwk).ToList() });
        }
        else
        {
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound));
        }

        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
    }

    private static Dictionary<string, string> Jwk((string Kid, AsymmetricAlgorithm Key, string Alg) key)
    {
        if (key.Key is RSA rsa)
        {
            var p = rsa.ExportParameters(false);
            return new() { ["kty"] = "RSA", ["kid"] = key.Kid, ["use"] = "sig", ["alg"] = "RS256", ["n"] = Encode(p.Modulus!), ["e"] = Encode(p.Exponent!) };
        }

        var q = ((ECDsa)key.Key).ExportParameters(false).Q;
        return new() { ["kty"] = "EC", ["kid"] = key.Kid, ["use"] = "sig", ["crv"] = "P-256", ["x"] = Encode(q.X!), ["y"] = Encode(q.Y!) };
    }
}
