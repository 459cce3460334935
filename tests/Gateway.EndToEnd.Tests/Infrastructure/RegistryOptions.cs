namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>How to configure a <see cref="RegistryServer"/>. All optional.</summary>
public sealed record RegistryOptions
{
    /// <summary>Filesystem storage root; give the same folder to two replicas to share storage. Default: a folder under the temp dir.</summary>
    public string? StorageDirectory { get; init; }

    /// <summary><c>http.secret</c>; replicas behind one front must share it. Default: random.</summary>
    public string? HttpSecret { get; init; }

    /// <summary>Port on 127.0.0.1; default: a free one.</summary>
    public int? Port { get; init; }

    /// <summary>Optional <c>auth.token</c> section.</summary>
    public RegistryTokenAuth? TokenAuth { get; init; }

    /// <summary>Serve TLS with this certificate chain (PEM) and key; BaseUrl is then https.</summary>
    public string? TlsCertificatePath { get; init; }

    public string? TlsKeyPath { get; init; }

    /// <summary><c>http.relativeurls</c>: Location headers without scheme and host.</summary>
    public bool RelativeUrls { get; init; }

    /// <summary>debug, info, warn, error.</summary>
    public string LogLevel { get; init; } = "info";
}
