using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Host.Telemetry;

/// <summary>
/// <c>gateway.certificate.expiry_timestamp</c> (Prometheus: <c>gateway_certificate_expiry_timestamp_seconds</c>): the
/// end of validity (Unix time) of each PEM certificate the node serves or hands out, read from its file at each
/// observation, so a certificate Kestrel reloaded (a renewed Secret) is the one reported. Label <c>certificate</c>: the
/// Kestrel endpoint's name in lower case (<c>https</c>) or <c>token</c> (<c>Gateway:Token:Certificate</c>). A file that
/// cannot be read is left out (and a rule that expects the series notices).
/// </summary>
public sealed class CertificateExpiryGauge
{
    /// <summary>The meter's name (matched by the exporter's <c>Gateway.*</c>).</summary>
    public const string MeterName = "Gateway.Host";

    private readonly List<(string Name, string Path)> _certificates = [];

    /// <summary>Finds the certificate files in the configuration and registers the gauge.</summary>
    public CertificateExpiryGauge(IConfiguration configuration, IMeterFactory meterFactory)
    {
        foreach (var endpoint in configuration.GetSection("Kestrel:Endpoints").GetChildren())
        {
            if (endpoint["Certificate:Path"] is { Length: > 0 } path)
            {
                _certificates.Add((endpoint.Key.ToLowerInvariant(), path));
            }
        }

        if (configuration["Gateway:Token:Certificate"] is { Length: > 0 } token)
        {
            _certificates.Add(("token", token));
        }

        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableGauge(
            "gateway.certificate.expiry_timestamp",
            Observe,
            unit: "s",
            description: "End of validity (Unix time) of each certificate the node serves (Kestrel endpoints) or hands out (the token server's).");
    }

    /// <summary>The certificates found: (label, path).</summary>
    public IReadOnlyList<(string Name, string Path)> Certificates => _certificates;

    private IEnumerable<Measurement<double>> Observe()
    {
        foreach (var (name, path) in _certificates)
        {
            DateTimeOffset notAfter;
            try
            {
                // The first certificate of the file: the leaf (domain.crt may carry the chain after it).
                using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(path));
                notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
            {
                continue;
            }

            yield return new Measurement<double>(notAfter.ToUnixTimeSeconds(), new KeyValuePair<string, object?>("certificate", name));
        }
    }
}
