using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Deploy.Tests.Support;

namespace Gateway.Deploy.Tests;

/// <summary>
/// The two HAProxy configurations: deploy/haproxy/haproxy.cfg (compose: edges found through Docker's DNS) and
/// deploy/haproxy/local.cfg (local processes: deploy/local-cluster.sh and the end-to-end tests). Both are checked
/// by the real <c>haproxy -c</c> after the paths and addresses they take from outside are filled in.
/// </summary>
public sealed class HaproxyConfigTests
{
    private static readonly string Compose = Repository.Read("deploy/haproxy/haproxy.cfg");
    private static readonly string Local = Repository.Read("deploy/haproxy/local.cfg");

    public static TheoryData<string> Configs => new() { "deploy/haproxy/haproxy.cfg", "deploy/haproxy/local.cfg" };

    [RequiresToolFact("haproxy", "haproxy")]
    public async Task ComposeConfig_IsValid_ForHaproxy()
    {
        var folder = Directory.CreateTempSubdirectory("gw-haproxy-").FullName;
        try
        {
            // The compose secrets tls_certificate and tls_key are mounted as domain.pem and domain.pem.key.
            var pem = Path.Combine(folder, "domain.pem");
            WriteCertificate(pem, pem + ".key");
            var rendered = Path.Combine(folder, "haproxy.cfg");
            await File.WriteAllTextAsync(rendered, Compose.Replace("/run/secrets/domain.pem", pem, StringComparison.Ordinal));

            var (exitCode, output) = await Tool.RunAsync("haproxy", ["-c", "-f", rendered]);
            Assert.True(exitCode == 0, output);
            Assert.Contains("Configuration file is valid", output, StringComparison.Ordinal);
            Assert.DoesNotContain("[WARNING]", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [RequiresToolFact("haproxy", "haproxy")]
    public async Task LocalConfig_WithAnEdgeList_IsValid_ForHaproxy()
    {
        var folder = Directory.CreateTempSubdirectory("gw-haproxy-").FullName;
        try
        {
            var pem = Path.Combine(folder, "lb.pem");
            WriteCertificate(pem, keyPath: null);
            var edges = Path.Combine(folder, "edges.cfg");
            await File.WriteAllTextAsync(edges, "backend edges\n    server edge-1 127.0.0.1:5501\n    server edge-2 127.0.0.1:5502\n");

            var (exitCode, output) = await Tool.RunAsync(
                "haproxy",
                ["-c", "-f", Repository.PathOf("deploy/haproxy/local.cfg"), "-f", edges],
                environment: new Dictionary<string, string?>
                {
                    ["GW_LB_BIND"] = "127.0.0.1:5443",
                    ["GW_LB_CERT"] = pem,
                    ["GW_LB_STATS_BIND"] = "127.0.0.1:5404",
                });
            Assert.True(exitCode == 0, output);
            Assert.DoesNotContain("[WARNING]", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void HealthChecks_AskEachEdgesReadiness_Often(string path)
    {
        var config = Lines(Repository.Read(path));
        Assert.Contains("option httpchk GET /healthz/ready", config);
        Assert.Contains("http-check expect status 200", config);
        var defaultServer = Assert.Single(config, l => l.StartsWith("default-server ", StringComparison.Ordinal));
        Assert.Contains(" check ", defaultServer + " ", StringComparison.Ordinal);
        var inter = Milliseconds(Word(defaultServer, "inter"));
        var fall = int.Parse(Word(defaultServer, "fall"), System.Globalization.CultureInfo.InvariantCulture);

        // An edge that starts draining is out of rotation well before its drain delay ends (compose: the default 10 s;
        // local: deploy/local-cluster.sh uses 3 s, the tests 2 s).
        var drainDelay = path.EndsWith("local.cfg", StringComparison.Ordinal) ? 2000 : 10000;
        Assert.True(inter * (fall + 1) < drainDelay, $"{path}: inter {inter} ms x (fall {fall} + 1) is not below {drainDelay} ms");
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void Frontend_TerminatesTls_AndTellsTheEdgesTheClientAndTheScheme(string path)
    {
        var config = Lines(Repository.Read(path));
        Assert.Contains(config, l => l.StartsWith("bind ", StringComparison.Ordinal) && l.Contains(" ssl crt ", StringComparison.Ordinal) && l.EndsWith("alpn h2,http/1.1", StringComparison.Ordinal));
        Assert.Contains("mode http", config);
        Assert.Contains("balance roundrobin", config);
        Assert.Contains("option forwardfor", config);
        Assert.Contains("http-request del-header X-Forwarded-For", config);
        Assert.Contains("http-request set-header X-Forwarded-Proto https", config);
        Assert.True(
            config.IndexOf("http-request del-header X-Forwarded-For") < config.IndexOf("option forwardfor"),
            "the client's own X-Forwarded-For must be dropped");

        // Transfers may idle as long as the gateway allows (15 minutes); a killed edge's new requests go elsewhere.
        Assert.Contains("timeout server 15m", config);
        Assert.Contains("timeout client 15m", config);
        Assert.Contains("option redispatch 1", config);
        Assert.Contains(config, l => l.StartsWith("retry-on ", StringComparison.Ordinal) && l.Contains("conn-failure", StringComparison.Ordinal));
        Assert.DoesNotContain(config, l => l.Contains("on-marked-down shutdown-sessions", StringComparison.Ordinal)); // would cut a draining edge's transfers
    }

    [Fact]
    public void ComposeConfig_FindsScaledEdgesThroughDockerDns()
    {
        var config = Lines(Compose);
        Assert.Contains("nameserver dns 127.0.0.11:53", config);
        var template = Assert.Single(config, l => l.StartsWith("server-template ", StringComparison.Ordinal));
        Assert.Matches(@"^server-template edge \d+ edge:8080 resolvers docker init-addr none$", template);
        Assert.True(int.Parse(template.Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture) >= 16, "room for at least 16 edges");
    }

    private static List<string> Lines(string config) =>
        [.. config.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))];

    private static string Word(string line, string keyword)
    {
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var index = Array.IndexOf(words, keyword);
        Assert.True(index >= 0 && index + 1 < words.Length, $"no '{keyword}' in: {line}");
        return words[index + 1];
    }

    private static int Milliseconds(string value) =>
        value.EndsWith("ms", StringComparison.Ordinal)
            ? int.Parse(value[..^2], System.Globalization.CultureInfo.InvariantCulture)
            : value.EndsWith('s')
                ? int.Parse(value[..^1], System.Globalization.CultureInfo.InvariantCulture) * 1000
                : int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A self-signed certificate for 127.0.0.1; the key appended to the certificate file when <paramref name="keyPath"/> is null.</summary>
    private static void WriteCertificate(string certificatePath, string? keyPath)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certificatePem = certificate.ExportCertificatePem() + "\n";
        var keyPem = key.ExportPkcs8PrivateKeyPem() + "\n";
        if (keyPath is null)
        {
            File.WriteAllText(certificatePath, certificatePem + keyPem);
        }
        else
        {
            File.WriteAllText(certificatePath, certificatePem);
            File.WriteAllText(keyPath, keyPem);
        }
    }
}
