namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>
/// How skopeo reaches a docker:// registry. With TlsVerify and no CertDirectory skopeo also reads
/// /etc/docker/certs.d and /etc/containers/certs.d: pass an (empty) cert dir for "untrusted CA" tests.
/// </summary>
/// <param name="Username">With <paramref name="Password"/>: sent as --creds user:password.</param>
/// <param name="Password">The password.</param>
/// <param name="CertDirectory">--cert-dir: *.crt files trusted as CAs.</param>
/// <param name="TlsVerify">false: --tls-verify=false (also allows plain HTTP).</param>
/// <param name="RetryTimes">--retry-times (copy/inspect); 0 keeps failures fast.</param>
/// <param name="Anonymous">--no-creds: ignore the auth file's credentials.</param>
public sealed record SkopeoAccess(
    string? Username = null,
    string? Password = null,
    string? CertDirectory = null,
    bool TlsVerify = true,
    int RetryTimes = 0,
    bool Anonymous = false)
{
    /// <summary>Plain HTTP / no verification, anonymous.</summary>
    public static SkopeoAccess Insecure { get; } = new(TlsVerify: false);

    /// <summary>Options for one side of a copy ("src" or "dest"), or for inspect/login (null prefix).</summary>
    internal IEnumerable<string> ToArguments(string? side)
    {
        var prefix = side is null ? "--" : $"--{side}-";
        if (Username is not null)
        {
            yield return $"{prefix}creds={Username}:{Password}";
        }
        else if (Anonymous)
        {
            yield return $"{prefix}no-creds";
        }

        if (CertDirectory is not null)
        {
            yield return $"{prefix}cert-dir={CertDirectory}";
        }

        yield return $"{prefix}tls-verify={(TlsVerify ? "true" : "false")}";
    }
}
