using System.Security.Cryptography.X509Certificates;

namespace Gateway.Edge.Access.Identify.Ldap;

/// <summary>
/// The private folder libldap takes the trusted CAs from: a copy of <c>Gateway:Ldap:CaFile</c>'s certificates, alone,
/// in a folder of its own (mode 0700) under the temporary folder, deleted on dispose. libldap's per-connection trust
/// is a folder (<c>LDAP_OPT_X_TLS_CACERTDIR</c>, what System.DirectoryServices.Protocols exposes), and the CA
/// file's own folder may hold other certificates that must not be trusted.
/// </summary>
public sealed class LdapTrustDirectory : IDisposable
{
    private LdapTrustDirectory(string path, int count)
    {
        Path = path;
        Count = count;
    }

    /// <summary>The folder.</summary>
    public string Path { get; }

    /// <summary>How many certificates it holds.</summary>
    public int Count { get; }

    /// <summary>Reads the PEM certificates of <paramref name="caFile"/>; throws <see cref="InvalidDataException"/> naming the file when it holds none.</summary>
    public static X509Certificate2Collection ReadCertificates(string caFile)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(caFile);
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            throw new InvalidDataException($"'{caFile}' is not a PEM file of CA certificates: {ex.Message}", ex);
        }

        if (certificates.Count == 0)
        {
            throw new InvalidDataException($"'{caFile}' holds no PEM certificate (-----BEGIN CERTIFICATE-----).");
        }

        return certificates;
    }

    /// <summary>Writes the certificates of <paramref name="caFile"/> into a new private folder.</summary>
    public static LdapTrustDirectory Create(string caFile)
    {
        var certificates = ReadCertificates(caFile);
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "registry-gateway-ldap-ca-" + Guid.NewGuid().ToString("N"));
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        // One certificate per file: GnuTLS (Debian's libldap) reads every file of the folder; OpenSSL builds look
        // certificates up by subject hash, which the file names cannot give, so those need the CA's own hashed folder.
        for (var i = 0; i < certificates.Count; i++)
        {
            File.WriteAllText(System.IO.Path.Combine(path, $"ca-{i}.pem"), certificates[i].ExportCertificatePem() + "\n");
            certificates[i].Dispose();
        }

        return new LdapTrustDirectory(path, certificates.Count);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // best effort: the folder lives under the temporary folder
        }
        catch (UnauthorizedAccessException)
        {
            // best effort
        }
    }
}
