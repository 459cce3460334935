namespace Gateway.Registry.Tokens;

/// <summary>
/// The token server's settings (section <c>Gateway:Token</c>). <see cref="Issuer"/> and <see cref="Service"/> must
/// equal the registry's <c>auth.token.issuer</c> and <c>auth.token.service</c>.
/// </summary>
public sealed class RegistryTokenOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Gateway:Token";

    /// <summary>The shortest token lifetime: the token spec says a token is never returned with less than 60 seconds to live.</summary>
    public static readonly TimeSpan MinimumLifetime = TimeSpan.FromSeconds(60);

    /// <summary>The longest access token lifetime accepted: one day.</summary>
    public static readonly TimeSpan MaximumLifetime = TimeSpan.FromDays(1);

    /// <summary>The <c>iss</c> claim; the registry's <c>auth.token.issuer</c>. Required.</summary>
    public string Issuer { get; set; } = string.Empty;

    /// <summary>The <c>aud</c> claim and the only <c>service</c> tokens are issued for; the registry's <c>auth.token.service</c>. Required.</summary>
    public string Service { get; set; } = string.Empty;

    /// <summary>The public URL (or path) of the token endpoint, the challenge's <c>realm</c>. Default: <c>/token</c>.</summary>
    public string Realm { get; set; } = "/token";

    /// <summary>Path of the PEM private key tokens are signed with. Required.</summary>
    public string? SigningKey { get; set; }

    /// <summary>Path of the PEM certificate (chain, leaf first) of <see cref="SigningKey"/>; the registry's <c>rootcertbundle</c> must hold it. Optional.</summary>
    public string? Certificate { get; set; }

    /// <summary>How long an access token is valid (whole seconds; at least 60 s, at most a day). Default: 5 minutes.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a refresh token is valid. Default: 30 days.</summary>
    public TimeSpan RefreshLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How the JWT <c>kid</c> is written: <see cref="Tokens.KeyIdFormat.Libtrust"/> (registry 2.8, the default) or <see cref="Tokens.KeyIdFormat.Thumbprint"/> (registry 3).</summary>
    public KeyIdFormat KeyIdFormat { get; set; } = KeyIdFormat.Libtrust;
}
