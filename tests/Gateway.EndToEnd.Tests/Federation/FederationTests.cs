using System.Net;
using System.Text.Json;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.EndToEnd.Tests.Federation;

/// <summary>
/// Keyless CI with real clients: docker and skopeo log in with a token from a real OpenID provider as the password, no
/// stored secret; the mapped account's ACL applies; bad tokens get 401; keys rotate without a restart; a push validates
/// its token once.
/// </summary>
public sealed class FederationTests(FederationFixture fixture) : IClassFixture<FederationFixture>
{
    [Fact]
    public async Task Skopeo_PushWithProviderToken_MappedAccountsAclApplies()
    {
        using var temp = TempDirectory.Create();
        var image = await TestImages.CreateOciLayoutAsync(temp.Combine("src"), "v1", 4096, 8192);
        var skopeo = Skopeo.Create(temp);
        var own = new SkopeoAccess(FederationFixture.LoginName, await fixture.TokenAsync("acme/app"), fixture.Pki.CertDirectory);
        var other = new SkopeoAccess(FederationFixture.LoginName, await fixture.TokenAsync("acme/other"), fixture.Pki.CertDirectory);

        var push = await skopeo.CopyAsync(image.Reference, $"docker://{fixture.A.HostPort}/ci/acme/app/img:v1", own, "--preserve-digests");
        var back = temp.Combine("back");
        var pull = await skopeo.CopyAsync($"docker://{fixture.B.HostPort}/ci/acme/app/img:v1", $"oci:{back}:v1", own, "--dest-oci-accept-uncompressed-layers");
        var foreign = await skopeo.CopyAsync(image.Reference, $"docker://{fixture.B.HostPort}/ci/acme/app/img:v2", other, "--preserve-digests");

        push.EnsureSuccess();
        pull.EnsureSuccess();
        Assert.Equal(image.ManifestDigest, (await TestImages.ReadOciLayoutAsync(back, "v1")).ManifestDigest);
        Assert.False(foreign.Succeeded);
        // skopeo reports the 403 DENIED of its first blob check as "403 (Forbidden)".
        Assert.True(foreign.Output.Contains("403 (Forbidden)", StringComparison.Ordinal) || foreign.Output.Contains("denied", StringComparison.OrdinalIgnoreCase), foreign.Output);
    }

    [Fact]
    public async Task DockerCli_LoginWithProviderTokenAsPassword_PushesAndPulls_OtherProjectDenied()
    {
        using var temp = TempDirectory.Create();
        await using var engine = await DockerEngine.StartAsync(temp);
        var oci = await TestImages.CreateOciLayoutAsync(temp.Combine("oci"), "v1", 64 * 1024, 8192);
        var pushRef = $"{fixture.A.HostPort}/ci/acme/docker/app:v1";
        var archive = temp.Combine("image.tar");
        (await Skopeo.Create(temp).CopyAsync(oci.Reference, $"docker-archive:{archive}:{pushRef}")).EnsureSuccess();
        (await engine.RunCliAsync("load", "-i", archive)).EnsureSuccess();

        (await engine.LoginAsync(fixture.A.HostPort, FederationFixture.LoginName, await fixture.TokenAsync("acme/docker"))).EnsureSuccess();
        var push = await engine.RunCliAsync("push", pushRef);
        (await engine.RunCliAsync("rmi", pushRef)).EnsureSuccess();
        var pull = await engine.RunCliAsync("pull", pushRef);
        (await engine.LoginAsync(fixture.A.HostPort, FederationFixture.LoginName, await fixture.TokenAsync("acme/intruder"))).EnsureSuccess();
        var foreign = await engine.RunCliAsync("push", pushRef);

        push.EnsureSuccess();
        pull.EnsureSuccess();
        Assert.False(foreign.Succeeded);
        Assert.Contains("denied", foreign.Output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task V2_LabelFromAClaim_InAnAclPlaceholder_GrantsOnlyThatOrganisationsImages()
    {
        var acme = await fixture.TokenAsync("acme/labels");
        var other = await fixture.TokenAsync("other/labels");

        var own = await fixture.GetV2Async(fixture.A, acme, "/v2/shared/acme/base/tags/list");
        var foreign = await fixture.GetV2Async(fixture.B, acme, "/v2/shared/other/base/tags/list");
        var theirs = await fixture.GetV2Async(fixture.B, other, "/v2/shared/other/base/tags/list");

        // Granted: the registry itself answers (the repository does not exist). Refused: the gateway's DENIED.
        Assert.True(own.Status == HttpStatusCode.NotFound && own.Body.Contains("NAME_UNKNOWN", StringComparison.Ordinal), $"{(int)own.Status} {own.Body}");
        Assert.True(foreign.Status == HttpStatusCode.Forbidden && foreign.Body.Contains("DENIED", StringComparison.Ordinal), $"{(int)foreign.Status} {foreign.Body}");
        Assert.True(theirs.Status == HttpStatusCode.NotFound, $"{(int)theirs.Status} {theirs.Body}");
    }

    [Fact]
    public async Task V2_BadTokens_Answer401WithTheRegistrysError()
    {
        // Each case its own account: five failures of one account from one address lock it (as wrong passwords do).
        var cases = new Dictionary<string, string>
        {
            ["wrong audience"] = await fixture.TokenAsync("acme/bad-audience", r => r with { Audience = "somebody-else" }),
            ["other issuer"] = await fixture.TokenAsync("acme/bad-issuer", r => r with { Issuer = "https://token.actions.example" }),
            ["expired"] = await fixture.TokenAsync("acme/bad-expired", r => r with { IssuedAt = DateTimeOffset.UtcNow.AddMinutes(-10), Lifetime = TimeSpan.FromMinutes(5) }),
            ["unknown key"] = await fixture.TokenAsync("acme/bad-key", r => r with { UnknownKey = true }),
            ["unprotected ref"] = await fixture.Provider.MintAsync(new(new Dictionary<string, object> { ["repository"] = "acme/bad-ref", ["ref_protected"] = false }) { Audience = FederationFixture.Audience }),
            ["no audience"] = await fixture.TokenAsync("acme/bad-no-audience", r => r with { Audience = null }),
        };

        foreach (var (name, token) in cases)
        {
            var (status, body) = await fixture.GetV2Async(fixture.A, token);
            Assert.True(status == HttpStatusCode.Unauthorized, $"{name}: {(int)status} {body}");
            Assert.Contains("UNAUTHORIZED", body, StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.OK, (await fixture.GetV2Async(fixture.B, await fixture.TokenAsync("acme/valid"))).Status);
    }

    [Fact]
    public async Task V2_RepeatedForgedTokensForOneAccount_LockThatAccountFromThatAddressOnly()
    {
        for (var i = 0; i < 5; i++)
        {
            var forged = await fixture.TokenAsync("acme/targeted", r => r with { UnknownKey = true });
            Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.GetV2Async(i % 2 == 0 ? fixture.A : fixture.B, forged)).Status);
        }

        var (status, body) = await fixture.GetV2Async(fixture.B, await fixture.TokenAsync("acme/targeted"));
        var other = await fixture.GetV2Async(fixture.A, await fixture.TokenAsync("acme/bystander"));

        // The lock answer of a login check, GET /v2/ (issue 13): 303 naming the lock; other accounts are untouched.
        Assert.True(status == HttpStatusCode.SeeOther, $"{(int)status} {body}");
        Assert.Contains("locked", body, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, other.Status);
    }

    [Fact]
    public async Task KeyRotation_NewKeysWorkWithoutRestart_OldKeyOnlyWhilePublished()
    {
        var beforeRotation = await fixture.TokenAsync("acme/rotate");
        Assert.Equal(HttpStatusCode.OK, (await fixture.GetV2Async(fixture.A, beforeRotation)).Status);
        var oldKeyUnused = await fixture.TokenAsync("acme/rotate-unused");

        await fixture.Provider.RotateAsync(keepOld: true);
        await Task.Delay(TimeSpan.FromSeconds(1.2)); // the fixture's MinimumRefreshInterval
        var afterGraceful = await fixture.TokenAsync("acme/rotate");
        Assert.Equal(HttpStatusCode.OK, (await fixture.GetV2Async(fixture.A, afterGraceful)).Status);
        Assert.Equal(HttpStatusCode.OK, (await fixture.GetV2Async(fixture.A, oldKeyUnused)).Status);

        var oldKeyLater = await fixture.TokenAsync("acme/rotate-later");
        await fixture.Provider.RotateAsync(keepOld: false);
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        var afterHard = await fixture.TokenAsync("acme/rotate");
        Assert.Equal(HttpStatusCode.OK, (await fixture.GetV2Async(fixture.B, afterHard)).Status);
        Assert.Equal(HttpStatusCode.OK, (await fixture.GetV2Async(fixture.A, afterHard)).Status);
        // The old keys are no longer published: a token of theirs is refused, on both nodes, cached or not.
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.GetV2Async(fixture.A, oldKeyLater)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.GetV2Async(fixture.A, beforeRotation)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.GetV2Async(fixture.B, oldKeyUnused)).Status);
    }

    [Fact]
    public async Task Skopeo_PushOf20Layers_ValidatesTheTokenOnce_RefusedAfterExp()
    {
        using var temp = TempDirectory.Create();
        var image = await TestImages.CreateOciLayoutAsync(temp.Combine("src"), "v1", Enumerable.Range(1, 20).Select(i => 1024L + i).ToArray());
        var lifetime = TimeSpan.FromSeconds(40);
        var token = await fixture.TokenAsync("acme/layers", r => r with { Lifetime = lifetime });
        var minted = DateTimeOffset.UtcNow;
        var checksBefore = await SignatureChecksAsync();

        var push = await Skopeo.Create(temp).CopyAsync(image.Reference, $"docker://{fixture.A.HostPort}/ci/acme/layers/img:v1",
            new SkopeoAccess(FederationFixture.LoginName, token, fixture.Pki.CertDirectory), "--preserve-digests");
        var checksAfter = await SignatureChecksAsync();
        var (logins, journal) = await fixture.AdminAsync(fixture.A, "/federation/logins?account=ci/acme/layers");

        push.EnsureSuccess();
        Assert.Equal(1, checksAfter - checksBefore);
        Assert.Equal(HttpStatusCode.OK, logins);
        Assert.Single(JsonDocument.Parse(journal).RootElement.EnumerateArray());

        // Past exp (and the 1 s leeway) the next request is refused, on either node.
        var wait = minted + lifetime + TimeSpan.FromSeconds(2.5) - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.GetV2Async(fixture.A, token)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.GetV2Async(fixture.B, token)).Status);
    }

    [Fact]
    public async Task Admin_Issuers_ShowKeyIdsAndLastRefresh()
    {
        Assert.Equal(HttpStatusCode.OK, (await fixture.GetV2Async(fixture.A, await fixture.TokenAsync("acme/admin"))).Status);
        var published = (await fixture.Provider.GetStateAsync()).KeyIds;

        var (status, body) = await fixture.AdminAsync(fixture.A, "/federation/issuers");

        Assert.Equal(HttpStatusCode.OK, status);
        var issuers = JsonDocument.Parse(body).RootElement.EnumerateArray().ToList();
        var provider = issuers.Single(i => i.GetProperty("issuer").GetString() == fixture.Provider.Issuer);
        var kids = provider.GetProperty("keyIds").EnumerateArray().Select(k => k.GetString()).ToList();
        Assert.Contains(kids, published.Contains);
        Assert.Equal(JsonValueKind.String, provider.GetProperty("lastRefresh").ValueKind);
        Assert.Contains(issuers, i => i.GetProperty("issuer").GetString() == fixture.DeadIssuer);
    }

    [Fact]
    public async Task V2_TokenOfAnIssuerWhoseDiscoveryFails_Answers503NotAnError()
    {
        var token = await fixture.TokenAsync("acme/dead", r => r with { Issuer = fixture.DeadIssuer });

        var (status, body) = await fixture.GetV2Async(fixture.B, token);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("UNAVAILABLE", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProviderStopped_CachedKeysKeepWorking_NodeWithoutKeysAnswers503()
    {
        // An issuer of this test's own, so stopping it leaves the shared one alone.
        await using var provider = await OidcProvider.StartAsync(fixture.Pki);
        await using var node = await GatewayNode.StartAsync(fixture.NodeOptions(provider.Issuer).WithTls(fixture.Pki));
        var first = await fixture.TokenAsync("acme/outage", provider: provider);
        Assert.Equal(HttpStatusCode.OK, (await fixture.GetV2Async(node, first)).Status);
        var second = await fixture.TokenAsync("acme/outage-two", provider: provider);
        await using var fresh = await GatewayNode.StartAsync(fixture.NodeOptions(provider.Issuer).WithTls(fixture.Pki));

        await provider.Process.StopAsync(TimeSpan.FromSeconds(10));

        // Not seen before, but signed by a key this node fetched: validated offline.
        Assert.Equal(HttpStatusCode.OK, (await fixture.GetV2Async(node, second)).Status);
        Assert.Equal(HttpStatusCode.OK, (await fixture.GetV2Async(node, first)).Status);
        var (status, body) = await fixture.GetV2Async(fresh, second);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("UNAVAILABLE", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenMode_ProviderTokenAtTheTokenEndpoint_PushWorks_IssuedTokensEndWithIt()
    {
        var key = fixture.Temp.Combine($"token-{Guid.NewGuid():N}.key");
        using (var ec = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256))
        {
            await File.WriteAllTextAsync(key, ec.ExportPkcs8PrivateKeyPem());
        }

        await using var node = await GatewayNode.StartAsync(fixture.NodeOptions(fixture.Provider.Issuer, extra: new Dictionary<string, string?>
        {
            ["Gateway__Auth__Mode"] = "token",
            ["Gateway__Token__SigningKey"] = key,
            ["Gateway__Token__Issuer"] = "gateway-federation-e2e",
            ["Gateway__Token__Service"] = "gateway-federation-e2e",
        }).WithTls(fixture.Pki));
        using var temp = TempDirectory.Create();
        var image = await TestImages.CreateOciLayoutAsync(temp.Combine("src"), "v1", 4096);
        var token = await fixture.TokenAsync("acme/token-mode", r => r with { Lifetime = TimeSpan.FromSeconds(90) });
        var other = await fixture.TokenAsync("acme/token-other");
        var skopeo = Skopeo.Create(temp);

        var push = await skopeo.CopyAsync(image.Reference, $"docker://{node.HostPort}/ci/acme/token-mode/img:v1", new SkopeoAccess(FederationFixture.LoginName, token, fixture.Pki.CertDirectory), "--preserve-digests");
        var foreign = await skopeo.CopyAsync(image.Reference, $"docker://{node.HostPort}/ci/acme/token-mode/img:v2", new SkopeoAccess(FederationFixture.LoginName, other, fixture.Pki.CertDirectory), "--preserve-digests");
        var (status, body) = await fixture.GetV2Async(node, token, "/token?service=gateway-federation-e2e&scope=repository:ci/acme/token-mode/img:pull&offline_token=true");

        push.EnsureSuccess();
        Assert.False(foreign.Succeeded);
        Assert.Equal(HttpStatusCode.OK, status);
        using var answer = JsonDocument.Parse(body);
        Assert.True(answer.RootElement.GetProperty("expires_in").GetInt32() <= 90, body);
        Assert.False(answer.RootElement.TryGetProperty("refresh_token", out _), "no refresh token may outlive the CI token");
    }

    private Task<double> SignatureChecksAsync() =>
        DirectAuth.Metrics.SumAsync(fixture.Cluster.Nodes, "gateway_federation_signature_checks_total", "result=\"valid\"");
}
