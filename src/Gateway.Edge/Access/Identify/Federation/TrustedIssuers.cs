using System.Collections.Frozen;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Access.Identify.Federation;

/// <summary>
/// The trusted issuers of <see cref="FederationOptions"/>, by issuer URL, each with its own HTTPS client: an issuer
/// with a <see cref="TrustedIssuerOptions.CaFile"/> trusts that CA alone, the others the machine's trust store; no
/// redirects are followed (a key set is taken only from the URL discovery named).
/// </summary>
public sealed class TrustedIssuers : IDisposable
{
    private readonly FrozenDictionary<string, TrustedIssuer> _byIssuer;

    /// <summary>Builds the issuers (the options were validated at start).</summary>
    public TrustedIssuers(IOptions<FederationOptions> options, TimeProvider time, FederationMetrics metrics, ILoggerFactory loggers)
        : this(options.Value, time, metrics, loggers, CreateClient)
    {
    }

    /// <summary>Builds the issuers with <paramref name="clientFor"/> making each one's HTTP client (tests).</summary>
    public TrustedIssuers(FederationOptions options, TimeProvider time, FederationMetrics metrics, ILoggerFactory loggers, Func<TrustedIssuerOptions, FederationOptions, HttpClient> clientFor)
    {
        var logger = loggers.CreateLogger<IssuerKeySource>();
        _byIssuer = options.Issuers.ToFrozenDictionary(
            issuer => issuer.Issuer,
            issuer => new TrustedIssuer(
                issuer,
                AccountTemplate.TryParse(issuer.AccountTemplate, out _) ?? throw new OptionsValidationException(FederationOptions.SectionName, typeof(FederationOptions), ["invalid AccountTemplate"]),
                new IssuerKeySource(issuer, options, clientFor(issuer, options), time, metrics, logger)),
            StringComparer.Ordinal);
    }

    /// <summary>Every trusted issuer.</summary>
    public IEnumerable<TrustedIssuer> All => _byIssuer.Values;

    /// <summary>The trusted issuer with exactly this <c>iss</c>, or null.</summary>
    public TrustedIssuer? Find(string? issuer) => issuer is not null && _byIssuer.TryGetValue(issuer, out var found) ? found : null;

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var issuer in _byIssuer.Values)
        {
            issuer.Keys.Dispose();
        }
    }

    /// <summary>The HTTPS client of one issuer: its CA file alone when it has one, no proxy surprises, no redirects.</summary>
    public static HttpClient CreateClient(TrustedIssuerOptions issuer, FederationOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = options.FetchTimeout,
            MaxResponseHeadersLength = 64,
        };
        if (issuer.CaFile is { Length: > 0 } caFile)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(caFile);
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.AddRange(roots);
            handler.SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = policy };
        }

        return new HttpClient(handler, disposeHandler: true) { Timeout = options.FetchTimeout };
    }
}
