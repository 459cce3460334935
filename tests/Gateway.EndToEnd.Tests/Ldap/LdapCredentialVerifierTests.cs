using System.Diagnostics;
using System.Text.RegularExpressions;
using Gateway.Edge.Access.Identify.Ldap;
using Gateway.Edge.Access.Identify.Passwords;
using Gateway.EndToEnd.Tests.Infrastructure;
using Gateway.Registry.Credentials;
using Gateway.Registry.Logging;
using Xunit.Abstractions;

namespace Gateway.EndToEnd.Tests.Ldap;

/// <summary>The LDAP verifier in process against a real slapd: binds, groups, escaping, TLS and servers in order.</summary>
public sealed partial class LdapCredentialVerifierTests(LdapDirectoryFixture ldap, ITestOutputHelper output) : IClassFixture<LdapDirectoryFixture>
{
    [Fact]
    public async Task VerifyAsync_SearchThenBindRightPassword_ValidWithGroupsFromMemberOf()
    {
        var logger = new RecordingLogger<LdapCredentialVerifier>();
        using var verifier = LdapDirectoryFixture.Verifier(ldap.SearchThenBind(), logger);
        var before = ldap.Directory.BindsOf(LdapDirectory.UserDn("alice"));

        var result = await verifier.VerifyAsync("alice", Secret.FromString("alice-pw"), default);

        Assert.Equal(VerificationOutcome.Valid, result.Outcome);
        Assert.Equal(["ci", "ci-nightly"], result.Labels[LdapCredentialVerifier.GroupLabel]);
        Assert.Null(result.ValidUntil);
        await ldap.Directory.SettleAsync();
        Assert.Equal(1, ldap.Directory.BindsOf(LdapDirectory.UserDn("alice")) - before);
        Assert.DoesNotContain("alice-pw", logger.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(ldap.Directory.ServicePassword, logger.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_GroupSearch_GroupsFromMemberEntries()
    {
        var options = ldap.SearchThenBind();
        options.GroupAttribute = null;
        options.GroupFilter = "(&(objectClass=groupOfNames)(member=${dn}))";
        options.GroupBaseDn = LdapDirectory.GroupsDn;
        using var verifier = LdapDirectoryFixture.Verifier(options, new());

        var alice = await verifier.VerifyAsync("alice", Secret.FromString("alice-pw"), default);
        var carol = await verifier.VerifyAsync("carol", Secret.FromString("carol-pw"), default);

        Assert.Equal(["ci", "ci-nightly"], alice.Labels[LdapCredentialVerifier.GroupLabel]);
        Assert.Equal(VerificationOutcome.Valid, carol.Outcome);
        Assert.Empty(carol.Labels);
    }

    [Theory]
    [InlineData("bob", "wrong")]
    [InlineData("nobody", "bob-pw")]
    [InlineData("dave", "dave-pw")]
    public async Task VerifyAsync_WrongPasswordUnknownOrDisabledUser_InvalidAfterOneBind(string user, string password)
    {
        using var verifier = LdapDirectoryFixture.Verifier(ldap.SearchThenBind(), new());
        var before = ldap.Directory.Binds().Count(b => b.Dn != LdapDirectory.ServiceDn);

        var result = await verifier.VerifyAsync(user, Secret.FromString(password), default);

        Assert.Equal(VerificationOutcome.Invalid, result.Outcome);
        Assert.Empty(result.Labels);
        await ldap.Directory.SettleAsync();
        var binds = ldap.Directory.Binds().Where(b => b.Dn != LdapDirectory.ServiceDn).Skip(before).ToList();
        Assert.Equal(49, Assert.Single(binds).ResultCode);
    }

    [Theory]
    [InlineData("al*")]
    [InlineData("*lice")]
    [InlineData("*")]
    [InlineData("alice)(uid=bob")]
    [InlineData("x)(|(uid=alice)")]
    [InlineData("alice\\")]
    public async Task VerifyAsync_FilterInjection_MatchesTheLiteralNameOnly(string user)
    {
        using var verifier = LdapDirectoryFixture.Verifier(ldap.SearchThenBind(), new());
        var before = ldap.Directory.SearchFilters().Count;

        var result = await verifier.VerifyAsync(user, Secret.FromString("alice-pw"), default);

        Assert.Equal(VerificationOutcome.Invalid, result.Outcome);
        await ldap.Directory.SettleAsync();
        var logged = Assert.Single(ldap.Directory.SearchFilters().Skip(before), f => f.Contains("inetOrgPerson", StringComparison.Ordinal));
        var filter = HexEscape().Replace(logged, m => m.Value.ToLowerInvariant()); // slapd logs \2A where we send \2a
        output.WriteLine($"{user} -> {filter}");
        Assert.Equal($"(&(objectClass=inetOrgPerson)(uid={LdapEscaping.EscapeFilterValue(user)}))", filter);
        Assert.DoesNotContain("*", filter.Replace("\\2a", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_UserNameWithFilterCharacters_ThatUserLogsIn()
    {
        using var verifier = LdapDirectoryFixture.Verifier(ldap.SearchThenBind(), new());

        var result = await verifier.VerifyAsync("star*", Secret.FromString("star-pw"), default);

        Assert.Equal(VerificationOutcome.Valid, result.Outcome);
    }

    [Theory]
    [InlineData("alice,ou=people")]
    [InlineData("alice+cn=alice")]
    [InlineData("*")]
    public async Task VerifyAsync_DirectBindDnInjection_Invalid(string user)
    {
        var options = ldap.SearchThenBind();
        options.BindDn = null;
        options.BindPasswordFile = null;
        options.DnTemplate = "uid=${account}," + LdapDirectory.PeopleDn;
        using var verifier = LdapDirectoryFixture.Verifier(options, new());

        var injected = await verifier.VerifyAsync(user, Secret.FromString("alice-pw"), default);
        var alice = await verifier.VerifyAsync("alice", Secret.FromString("alice-pw"), default);

        Assert.Equal(VerificationOutcome.Invalid, injected.Outcome);
        Assert.Equal(VerificationOutcome.Valid, alice.Outcome);
        Assert.Equal(["ci", "ci-nightly"], alice.Labels[LdapCredentialVerifier.GroupLabel]);
    }

    [Fact]
    public async Task VerifyAsync_EmptyPassword_InvalidWithoutABind()
    {
        using var verifier = LdapDirectoryFixture.Verifier(ldap.SearchThenBind(), new());
        var before = ldap.Directory.Binds().Count;

        var result = await verifier.VerifyAsync("alice", Secret.FromString(string.Empty), default);

        Assert.Equal(VerificationOutcome.Invalid, result.Outcome);
        await ldap.Directory.SettleAsync();
        Assert.Equal(before, ldap.Directory.Binds().Count);
    }

    [Fact]
    public async Task VerifyAsync_ManyVerifications_ServiceAccountBindsOncePerPooledConnection()
    {
        var options = ldap.SearchThenBind();
        options.PoolSize = 2;
        using var verifier = LdapDirectoryFixture.Verifier(options, new());
        var before = ldap.Directory.BindsOf(LdapDirectory.ServiceDn);

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(VerificationOutcome.Valid, (await verifier.VerifyAsync("bob", Secret.FromString("bob-pw"), default)).Outcome);
        }

        await ldap.Directory.SettleAsync();
        Assert.Equal(1, ldap.Directory.BindsOf(LdapDirectory.ServiceDn) - before);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task VerifyAsync_StartTlsAndLdapsWithTheRightCa_Valid(bool startTls)
    {
        var options = ldap.SearchThenBind(startTls ? ldap.Directory.Url : ldap.Directory.TlsUrl);
        options.StartTls = startTls;
        using var verifier = LdapDirectoryFixture.Verifier(options, new());

        var result = await verifier.VerifyAsync("alice", Secret.FromString("alice-pw"), default);

        Assert.Equal(VerificationOutcome.Valid, result.Outcome);
        await ldap.Directory.SettleAsync();
        Assert.Contains(ldap.Directory.Log, l => l.Contains(startTls ? "STARTTLS" : "TLS established", StringComparison.Ordinal));
    }

    [Fact]
    public async Task VerifyAsync_ConcurrentFirstLoginsOverStartTls_AllValid()
    {
        var options = ldap.SearchThenBind();
        options.StartTls = true;
        options.PoolSize = 8;
        var logger = new RecordingLogger<LdapCredentialVerifier>();
        using var verifier = LdapDirectoryFixture.Verifier(options, logger);
        string[] users = ["alice", "bob", "carol"];

        var results = await Task.WhenAll(Enumerable.Range(0, 48).Select(i => verifier.VerifyAsync(users[i % 3], Secret.FromString(users[i % 3] + "-pw"), default).AsTask()));

        output.WriteLine(logger.Text);
        Assert.All(results, r => Assert.Equal(VerificationOutcome.Valid, r.Outcome));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task VerifyAsync_WrongCa_UnavailableWithoutSendingThePasswordAndSaysWhy(bool startTls)
    {
        var options = ldap.SearchThenBind(startTls ? ldap.Directory.Url : ldap.Directory.TlsUrl);
        options.StartTls = startTls;
        options.CaFile = ldap.Pki.OtherCaCertificatePath;
        var logger = new RecordingLogger<LdapCredentialVerifier>();
        using var verifier = LdapDirectoryFixture.Verifier(options, logger);
        var before = ldap.Directory.Binds().Count;

        var result = await verifier.VerifyAsync("alice", Secret.FromString("alice-pw"), default);

        Assert.Equal(VerificationOutcome.Unavailable, result.Outcome);
        await ldap.Directory.SettleAsync();
        Assert.Equal(before, ldap.Directory.Binds().Count);
        output.WriteLine(logger.Text);
        Assert.Contains("CaFile", logger.Text, StringComparison.Ordinal);
        Assert.Contains(ldap.Pki.OtherCaCertificatePath, logger.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_FirstServerStopped_SecondAnswersAndFirstIsSkippedAfterwards()
    {
        await using var first = await LdapDirectory.StartAsync(ldap.Temp, ldap.Pki);
        await LdapDirectoryFixture.LoadAsync(first);
        await first.StopAsync();
        var options = ldap.SearchThenBind(first.Url, ldap.Directory.Url);
        var logger = new RecordingLogger<LdapCredentialVerifier>();
        using var verifier = LdapDirectoryFixture.Verifier(options, logger);
        var before = ldap.Directory.BindsOf(LdapDirectory.UserDn("carol"));

        var watch = Stopwatch.StartNew();
        var results = new List<VerificationOutcome>();
        for (var i = 0; i < 5; i++)
        {
            results.Add((await verifier.VerifyAsync("carol", Secret.FromString("carol-pw"), default)).Outcome);
        }

        output.WriteLine($"5 verifications with the first server down: {watch.ElapsedMilliseconds} ms\n{logger.Text}");
        Assert.All(results, r => Assert.Equal(VerificationOutcome.Valid, r));
        await ldap.Directory.SettleAsync();
        Assert.Equal(5, ldap.Directory.BindsOf(LdapDirectory.UserDn("carol")) - before);
        Assert.Equal(options.FailuresToOpen, logger.Entries.Count(e => e.EventId == EventIds.LdapServerFailed));
        Assert.Single(logger.Entries, e => e.EventId == EventIds.LdapServerSkipped);
    }

    [Fact]
    public async Task VerifyAsync_EveryServerDown_UnavailableFastOnceTheBreakersOpen()
    {
        await using var only = await LdapDirectory.StartAsync(ldap.Temp, ldap.Pki);
        await LdapDirectoryFixture.LoadAsync(only);
        var options = ldap.SearchThenBind(only.Url);
        options.BindPasswordFile = only.ServicePasswordFile;
        options.BreakDuration = TimeSpan.FromSeconds(1);
        var logger = new RecordingLogger<LdapCredentialVerifier>();
        using var verifier = LdapDirectoryFixture.Verifier(options, logger);
        Assert.Equal(VerificationOutcome.Valid, (await verifier.VerifyAsync("bob", Secret.FromString("bob-pw"), default)).Outcome);
        await only.StopAsync();

        var timings = new List<(VerificationOutcome Outcome, double Ms)>();
        for (var i = 0; i < 4; i++)
        {
            var watch = Stopwatch.StartNew();
            var outcome = (await verifier.VerifyAsync("bob", Secret.FromString("bob-pw"), default)).Outcome;
            timings.Add((outcome, watch.Elapsed.TotalMilliseconds));
        }

        await only.StartAsync();
        await Task.Delay(options.BreakDuration);
        var recovered = await verifier.VerifyAsync("bob", Secret.FromString("bob-pw"), default);

        output.WriteLine(string.Join("\n", timings.Select(t => $"{t.Outcome} {t.Ms:0.0} ms")) + "\n" + logger.Text);
        Assert.All(timings, t => Assert.Equal(VerificationOutcome.Unavailable, t.Outcome));
        Assert.All(timings, t => Assert.True(t.Ms < options.Timeout.TotalMilliseconds, $"{t.Ms} ms"));
        Assert.All(timings.Skip(options.FailuresToOpen), t => Assert.True(t.Ms < 50, $"an open breaker answers at once ({t.Ms} ms)"));
        Assert.Equal(VerificationOutcome.Valid, recovered.Outcome);
        Assert.Contains(logger.Entries, e => e.EventId == EventIds.LdapServerBack);
    }

    [Fact]
    public async Task VerifyAsync_ServiceAccountPasswordWrong_UnavailableNamingTheKeys()
    {
        var file = ldap.Temp.Combine("wrong-service-password");
        await File.WriteAllTextAsync(file, "not-it\n");
        var options = ldap.SearchThenBind();
        options.BindPasswordFile = file;
        var logger = new RecordingLogger<LdapCredentialVerifier>();
        using var verifier = LdapDirectoryFixture.Verifier(options, logger);

        var result = await verifier.VerifyAsync("alice", Secret.FromString("alice-pw"), default);

        Assert.Equal(VerificationOutcome.Unavailable, result.Outcome);
        Assert.Contains("BindPasswordFile", logger.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("not-it", logger.Text, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"\\[0-9A-F]{2}")]
    private static partial Regex HexEscape();
}
