using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Gateway.Registry.Access;
using Gateway.Registry.Credentials;

namespace Gateway.Benchmarks.Micro;

/// <summary>Request → scopes: <see cref="RegistryRouteParser.TryParse"/> then <see cref="AccessRequestMapper.TryMap"/>.</summary>
[MemoryDiagnoser]
public class RequestToScopesBenchmarks
{
    private const string Digest = "sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b";

    [Benchmark(Baseline = true, Description = "GET /v2/")]
    public int Ping() => Scopes("GET", "/v2/", null);

    [Benchmark(Description = "HEAD manifest")]
    public int ManifestHead() => Scopes("HEAD", "/v2/team/app/manifests/v1.2.3", null);

    [Benchmark(Description = "HEAD blob")]
    public int BlobHead() => Scopes("HEAD", "/v2/team/app/blobs/" + Digest, null);

    [Benchmark(Description = "POST upload with mount")]
    public int MountUpload() => Scopes("POST", "/v2/team/app/blobs/uploads/", "team/base");

    /// <summary>The number of scopes (so the work is not optimised away); -1 when the request is refused.</summary>
    public static int Scopes(string method, string path, string? mountFrom) =>
        RegistryRouteParser.TryParse(path, out var route) == RouteParseStatus.Ok
        && AccessRequestMapper.TryMap(method, route, mountFrom, out var scopes)
            ? scopes.Count
            : -1;
}

/// <summary>Basic header parsing: <see cref="BasicCredentialParser.TryParse"/>.</summary>
[MemoryDiagnoser]
public class BasicHeaderBenchmarks
{
    private readonly string _header = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("ci-robot:correct-horse-battery-staple"));
    private readonly string _malformed = "Basic not*base64";

    [Benchmark(Baseline = true)]
    public BasicCredentials? Valid() =>
        BasicCredentialParser.TryParse(_header, out var credentials) == CredentialParseStatus.Ok ? credentials : null;

    [Benchmark]
    public CredentialParseStatus Malformed() => BasicCredentialParser.TryParse(_malformed, out _);
}

/// <summary>The keyed credential fingerprint: <see cref="CredentialFingerprint.Compute"/> (HMAC-SHA256).</summary>
[MemoryDiagnoser]
public class FingerprintBenchmarks
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly Secret _password = Secret.FromString("correct-horse-battery-staple");
    private readonly string _hash = "$2y$10$" + new string('a', 53);

    [Benchmark]
    public byte[] Compute() => CredentialFingerprint.Compute(_key, "ci-robot", _password, _hash);
}
