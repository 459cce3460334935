using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Root CA → intermediate CA → server leaf for 127.0.0.1, ::1 and localhost (ECDSA P-256), plus an unrelated
/// root, written as PEM files under <c>&lt;temp&gt;/pki</c>.
/// </summary>
public sealed class TestPki : IDisposable
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");

    private TestPki(string directory, X509Certificate2 root, X509Certificate2 intermediate, X509Certificate2 otherRoot)
    {
        Directory = directory;
        Root = root;
        Intermediate = intermediate;
        OtherRoot = otherRoot;
    }

    public string Directory { get; }

    /// <summary>Root CA (with private key).</summary>
    public X509Certificate2 Root { get; }

    /// <summary>Intermediate CA signed by the root (with private key).</summary>
    public X509Certificate2 Intermediate { get; }

    /// <summary>An unrelated root, for "untrusted CA" tests.</summary>
    public X509Certificate2 OtherRoot { get; }

    /// <summary>Server leaf for 127.0.0.1, ::1, localhost; files domain.crt (leaf + intermediate) and domain.key.</summary>
    public IssuedCertificate Server { get; private set; } = null!;

    public X509Certificate2 Leaf => Server.Certificate;

    /// <summary>domain.crt: the leaf followed by the intermediate.</summary>
    public string ServerCertificatePath => Server.ChainPath;

    /// <summary>domain.key: PKCS#8 PEM, unencrypted.</summary>
    public string ServerKeyPath => Server.KeyPath;

    /// <summary>ca.crt: the root only.</summary>
    public string CaCertificatePath => Path.Combine(Directory, "ca.crt");

    /// <summary>other-ca.crt: the unrelated root.</summary>
    public string OtherCaCertificatePath => Path.Combine(Directory, "other-ca.crt");

    /// <summary>certs.d-style folder (skopeo/podman <c>--cert-dir</c>) holding only ca.crt.</summary>
    public string CertDirectory => Path.Combine(Directory, "certs.d");

    /// <summary>certs.d-style folder holding only the unrelated root (as ca.crt).</summary>
    public string OtherCaCertDirectory => Path.Combine(Directory, "other-certs.d");

    /// <summary>An empty cert folder: with it skopeo trusts no test CA (and ignores /etc/docker/certs.d).</summary>
    public string EmptyCertDirectory => Path.Combine(Directory, "empty-certs.d");

    public static TestPki Create(TempDirectory temp)
    {
        var dir = temp.CreateSubdirectory("pki");
        var now = DateTimeOffset.UtcNow;
        var root = CreateRoot("CN=Gateway E2E Test Root CA, O=Gateway Tests", now);
        var otherRoot = CreateRoot("CN=Unrelated E2E Root CA, O=Somebody Else", now);
        var intermediate = CreateIntermediate(root, now);
        var pki = new TestPki(dir, root, intermediate, otherRoot);
        pki.Server = pki.IssueServerCertificate(
            "domain",
            ["localhost"],
            [IPAddress.Loopback, IPAddress.IPv6Loopback]);

        File.WriteAllText(pki.CaCertificatePath, root.ExportCertificatePem() + "\n");
        File.WriteAllText(pki.OtherCaCertificatePath, otherRoot.ExportCertificatePem() + "\n");
        System.IO.Directory.CreateDirectory(pki.CertDirectory);
        File.Copy(pki.CaCertificatePath, Path.Combine(pki.CertDirectory, "ca.crt"));
        System.IO.Directory.CreateDirectory(pki.OtherCaCertDirectory);
        File.Copy(pki.OtherCaCertificatePath, Path.Combine(pki.OtherCaCertDirectory, "ca.crt"));
        System.IO.Directory.CreateDirectory(pki.EmptyCertDirectory);
        return pki;
    }

    /// <summary>
    /// Issues another server leaf from the intermediate (e.g. a wrong name or an expired one) and writes
    /// <c>&lt;name&gt;.crt</c> (leaf + intermediate) and <c>&lt;name&gt;.key</c>.
    /// Validity defaults to now−1 day … now+30 days.
    /// </summary>
    public IssuedCertificate IssueServerCertificate(
        string name,
        IReadOnlyList<string> dnsNames,
        IReadOnlyList<IPAddress> ipAddresses,
        DateTimeOffset? notBefore = null,
        DateTimeOffset? notAfter = null)
    {
        var now = DateTimeOffset.UtcNow;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={(dnsNames.Count > 0 ? dnsNames[0] : ipAddresses[0].ToString())}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuth], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Intermediate, true, false));
        var san = new SubjectAlternativeNameBuilder();
        foreach (var ip in ipAddresses)
        {
            san.AddIpAddress(ip);
        }

        foreach (var dns in dnsNames)
        {
            san.AddDnsName(dns);
        }

        request.CertificateExtensions.Add(san.Build(critical: false));
        using var unkeyed = request.Create(Intermediate, notBefore ?? now.AddDays(-1), notAfter ?? now.AddDays(30), Serial());
        var leaf = unkeyed.CopyWithPrivateKey(key);

        var chainPath = Path.Combine(Directory, name + ".crt");
        var keyPath = Path.Combine(Directory, name + ".key");
        File.WriteAllText(chainPath, leaf.ExportCertificatePem() + "\n" + Intermediate.ExportCertificatePem() + "\n");
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
        return new IssuedCertificate(leaf, chainPath, keyPath);
    }

    public void Dispose()
    {
        Server?.Certificate.Dispose();
        Intermediate.Dispose();
        Root.Dispose();
        OtherRoot.Dispose();
    }

    private static X509Certificate2 CreateRoot(string subject, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(now.AddDays(-3), now.AddDays(365));
    }

    private static X509Certificate2 CreateIntermediate(X509Certificate2 root, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Gateway E2E Test Intermediate CA, O=Gateway Tests", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root, true, false));
        using var unkeyed = request.Create(root, now.AddDays(-2), now.AddDays(180), Serial());
        return unkeyed.CopyWithPrivateKey(key);
    }

    private static byte[] Serial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // positive
        serial[0] |= 0x01; // no leading zero byte
        return serial;
    }
}
