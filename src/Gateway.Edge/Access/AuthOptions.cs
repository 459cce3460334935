using System.ComponentModel.DataAnnotations;

namespace Gateway.Edge.Access;

/// <summary>How the edge authenticates <c>/v2/</c> requests (section <c>Gateway:Auth</c>).</summary>
public sealed class AuthOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Gateway:Auth";

    /// <summary>
    /// Path of the htpasswd file (bcrypt entries only, as made by <c>htpasswd -B</c>). Required on edges.
    /// A relative path is taken from the working directory. The file is reloaded when it changes.
    /// </summary>
    public string? HtpasswdFile { get; set; }

    /// <summary>
    /// Path of an ACL file in docker_auth's static <c>acl:</c> format. Optional: without it every authenticated
    /// user may do everything. Reloaded when it changes; an invalid change keeps the last good rules.
    /// </summary>
    public string? AclFile { get; set; }

    /// <summary>
    /// How <c>/v2/</c> requests are authenticated: <c>basic</c> (the default: Basic credentials, the ACL enforced by
    /// the edge with 403 <c>DENIED</c>) or <c>token</c> (Bearer tokens from the gateway's token endpoint).
    /// </summary>
    public string Mode { get; set; } = "basic";

    /// <summary>
    /// The identity providers that check Basic credentials (at <c>/v2/</c> in basic mode and at the token endpoint), in
    /// the order they are asked: each takes the credentials it recognises and passes the rest on. Default:
    /// <c>machine-accounts</c> (names with <see cref="MachineAccountPrefix"/>), then <c>htpasswd</c> (every other name;
    /// unknown names are checked against a dummy hash, so list it last). Set as <c>Gateway:Auth:Providers:0</c>, …
    /// </summary>
    public string[]? Providers { get; set; }

    /// <summary>The default of <see cref="Providers"/>.</summary>
    public static IReadOnlyList<string> DefaultProviders { get; } = ["machine-accounts", "htpasswd"];

    /// <summary><see cref="Providers"/>, or <see cref="DefaultProviders"/> when not set.</summary>
    public IReadOnlyList<string> ProviderOrder => Providers is { Length: > 0 } providers ? providers : DefaultProviders;

    /// <summary>True when <see cref="Mode"/> is <c>token</c>.</summary>
    public bool IsTokenMode => string.Equals(Mode, "token", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The user-name prefix of machine accounts (created through the admin endpoint): <c>robot$ci</c> logs in as the
    /// machine account <c>ci</c> with its secret. htpasswd users with this prefix cannot log in. Default: <c>robot$</c>
    /// (Harbor's convention; quote it in shells).
    /// </summary>
    public string MachineAccountPrefix { get; set; } = "robot$";

    /// <summary>The machine account a user name names, or null when it names a user.</summary>
    public string? MachineAccountOf(string userName) =>
        userName.Length > MachineAccountPrefix.Length && userName.StartsWith(MachineAccountPrefix, StringComparison.Ordinal)
            ? userName[MachineAccountPrefix.Length..]
            : null;

    /// <summary>
    /// Anonymous access, as docker_auth's: a request without credentials is the ACL's account <c>""</c> (rules with
    /// <c>account: ""</c>), within a request rate limit per client address. In basic mode a request the ACL grants to
    /// <c>""</c> goes through without credentials (anything else, and <c>GET /v2/</c>, is still challenged, so
    /// <c>docker login</c> checks the password); the token endpoint issues tokens without credentials. Needs
    /// <see cref="AclFile"/>. Default: false.
    /// </summary>
    public bool Anonymous { get; set; }

    /// <summary>The realm of the Basic challenge. Default: <c>Registry Gateway</c>.</summary>
    public string Realm { get; set; } = "Registry Gateway";

    /// <summary>
    /// How long a verified credential is answered from the user grain's cache before bcrypt runs again.
    /// Default: 15 minutes. Zero turns the cache off (bcrypt on every request, as nginx does).
    /// </summary>
    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How often the htpasswd and ACL files are read to find changes that no file event announced (the folder is also
    /// watched; see <see cref="Files.FileReloader"/>). Default: 0.5 seconds, so a change is taken within 1 s even
    /// without events.
    /// </summary>
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How many bcrypt verifications one edge runs at once; more wait. Default: 0 = the number of CPU cores,
    /// so a flood of wrong passwords cannot starve the thread pool that streams transfers.
    /// </summary>
    [Range(0, 1024)]
    public int MaxConcurrentVerifications { get; set; }
}
