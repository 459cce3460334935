using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>HttpClients for probing test servers.</summary>
public static class TestHttp
{
    /// <summary>
    /// A client that trusts only <paramref name="trustedRoot"/> when given, else accepts any server certificate
    /// (for readiness probes). Never uses a proxy; no automatic redirects.
    /// </summary>
    public static HttpClient CreateClient(Uri? baseAddress = null, X509Certificate2? trustedRoot = null, TimeSpan? timeout = null)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromSeconds(30),
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = trustedRoot is null
                    ? (_, _, _, _) => true
                    : (_, certificate, chain, errors) => ChainsTo(certificate, chain, errors, trustedRoot),
            },
        };
        return new HttpClient(handler, disposeHandler: true)
        {
            BaseAddress = baseAddress,
            Timeout = timeout ?? TimeSpan.FromSeconds(100),
        };
    }

    private static bool ChainsTo(X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors, X509Certificate2 root)
    {
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false; // name mismatch or no certificate
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(leaf);
    }
}
