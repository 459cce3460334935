using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Edge.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Gateway.Edge.Tests.Files;

/// <summary>
/// The TLS certificate as the gateway configures it (<c>Kestrel:Endpoints:Https:Certificate:Path/KeyPath</c>, PEM
/// files) from a volume laid out as the kubelet lays out a <c>kubernetes.io/tls</c> Secret: Kestrel watches the files
/// itself and serves the new certificate after an atomic <c>..data</c> swap, without a restart. No gateway code is
/// involved; this pins down the behaviour the documentation promises.
/// </summary>
public sealed class CertificateReloadTests(ITestOutputHelper output)
{
    [Fact]
    public async Task KestrelPemCertificate_KubeletDataSwap_NewCertificateServedWithoutRestart()
    {
        using var volume = KubeletVolume.Create(Pem("first"));
        // The gateway's builder (CreateBuilder: Kestrel's configuration is bound with reloadOnChange).
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            // A fixed port: Kestrel rebinds the endpoint to apply the new certificate, and port 0 would move it.
            ["Kestrel:Endpoints:Https:Url"] = $"https://127.0.0.1:{FreePort()}",
            ["Kestrel:Endpoints:Https:Certificate:Path"] = volume.PathOf("tls.crt"),
            ["Kestrel:Endpoints:Https:Certificate:KeyPath"] = volume.PathOf("tls.key"),
        });
        await using var app = builder.Build();
        await app.StartAsync();
        var port = new Uri(app.Urls.First()).Port;
        Assert.Equal("CN=first", await ServedSubjectAsync(port));

        var clock = Stopwatch.StartNew();
        volume.Swap(Pem("second"));
        string? subject = null;
        while (clock.Elapsed < TimeSpan.FromSeconds(30) && subject != "CN=second")
        {
            await Task.Delay(100);
            subject = await ServedSubjectAsync(port);
        }

        output.WriteLine($"new certificate served {clock.Elapsed.TotalMilliseconds:F0} ms after the swap");
        Assert.Equal("CN=second", subject);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A self-signed P-256 certificate and its key as the two files of a TLS Secret.</summary>
    private static Dictionary<string, string> Pem(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return new() { ["tls.crt"] = certificate.ExportCertificatePem(), ["tls.key"] = key.ExportPkcs8PrivateKeyPem() };
    }

    /// <summary>The subject of the certificate a new TLS connection is served (null when the handshake fails).</summary>
    private static async Task<string?> ServedSubjectAsync(int port)
    {
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(System.Net.IPAddress.Loopback, port);
            await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, _, _, _) => true);
            await tls.AuthenticateAsClientAsync("127.0.0.1");
            return tls.RemoteCertificate?.Subject;
        }
        catch (Exception ex) when (ex is IOException or SocketException or System.Security.Authentication.AuthenticationException)
        {
            return null; // the endpoint is being rebound
        }
    }
}
