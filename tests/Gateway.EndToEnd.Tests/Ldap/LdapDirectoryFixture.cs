using Gateway.Edge.Access.Identify.Ldap;
using Gateway.EndToEnd.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Gateway.EndToEnd.Tests.Ldap;

/// <summary>
/// One private slapd for a test class, with users and groups: alice (ci, ci-nightly), bob (dev), carol (no group),
/// dave (disabled: no password), and users whose names look like filter or DN syntax. Passwords: NAME-pw.
/// </summary>
public sealed class LdapDirectoryFixture : IAsyncLifetime
{
    private TempDirectory? _temp;

    public TempDirectory Temp => _temp!;

    public TestPki Pki { get; private set; } = null!;

    public LdapDirectory Directory { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _temp = TempDirectory.Create();
        Pki = TestPki.Create(_temp);
        Directory = await LdapDirectory.StartAsync(_temp, Pki);
        await LoadAsync(Directory);
    }

    /// <summary>Loads the users and groups of this fixture into <paramref name="directory"/> (a second server gets the same).</summary>
    public static async Task LoadAsync(LdapDirectory directory)
    {
        await directory.AddUsersAsync([("alice", "alice-pw"), ("bob", "bob-pw"), ("carol", "carol-pw"), ("star*", "star-pw")]);
        await directory.AddDisabledUserAsync("dave");
        await directory.AddGroupAsync("ci", "alice");
        await directory.AddGroupAsync("ci-nightly", "alice");
        await directory.AddGroupAsync("dev", "bob");
    }

    /// <summary>Options for search then bind against <paramref name="servers"/> (default: this fixture's ldap://).</summary>
    public LdapOptions SearchThenBind(params string[] servers) => new()
    {
        Servers = servers.Length == 0 ? [Directory.Url] : [.. servers],
        BaseDn = LdapDirectory.BaseDn,
        BindDn = LdapDirectory.ServiceDn,
        BindPasswordFile = Directory.ServicePasswordFile,
        UserFilter = "(&(objectClass=inetOrgPerson)(uid=${account}))",
        GroupAttribute = "memberOf",
        Timeout = TimeSpan.FromSeconds(2),
        CaFile = Pki.CaCertificatePath,
    };

    /// <summary>A verifier over <paramref name="options"/>, validated as at start (ResponseTimeout 10 s).</summary>
    public static LdapCredentialVerifier Verifier(LdapOptions options, RecordingLogger<LdapCredentialVerifier> logger, TimeProvider? time = null)
    {
        var validation = new LdapOptionsValidator(Options.Create(new Gateway.Edge.Access.Admit.GrainCallOptions())).Validate(null, options);
        Assert.True(validation.Succeeded, validation.FailureMessage);
        return new LdapCredentialVerifier(Options.Create(options), time ?? TimeProvider.System, logger);
    }

    public async Task DisposeAsync()
    {
        await Directory.DisposeAsync();
        Pki.Dispose();
        _temp?.Dispose();
    }
}
