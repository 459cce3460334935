using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Gateway.Contracts;
using Gateway.Edge.Responses;
using Gateway.Edge.Tests.Support;
using Gateway.Registry.Errors;

namespace Gateway.Edge.Tests.Access;

/// <summary>
/// What every refusal carries so that docker, podman, buildah, skopeo and ctr stop at once and print why: the refused
/// access as the registry's detail, a message naming repository and action (also in the reason phrase, all ctr prints),
/// and for locks the status each client reports (403 on requests, 303 to an <c>account-locked:</c> URI on login checks).
/// </summary>
public sealed class RefusalAnswerTests : IAsyncLifetime
{
    private static readonly DateTimeOffset LockedUntil = new(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private static readonly AuthenticationHeaderValue Alice = EdgeTestHost.Basic(EdgeTestHost.User, EdgeTestHost.Password);
    private static readonly AuthenticationHeaderValue Reader = EdgeTestHost.Basic("reader", "r34der");

    private EdgeTestHost _edge = null!;

    public async Task InitializeAsync() => _edge = await EdgeTestHost.StartAsync(
        users: new Dictionary<string, string> { ["reader"] = "r34der", ["admin"] = "4dmin" },
        acl: Authorization.AclEnforcementTests.Acl);

    public async Task DisposeAsync() => await _edge.DisposeAsync();

    [Fact]
    public async Task Invoke_PushTheAclRefuses_403NamingRepositoryAndActionWithAccessRecords()
    {
        using var response = await _edge.SendAsync(HttpMethod.Post, "/v2/alice/other/blobs/uploads/", Reader);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var (code, message, detail) = await ErrorAsync(response);
        Assert.Equal("DENIED", code);
        Assert.Equal("requested access to the resource is denied: push on repository alice/other", message);
        Assert.Equal("""[{"Type":"repository","Class":"","Name":"alice/other","Action":"push"}]""", detail);
        Assert.Equal("Forbidden (requested access to the resource is denied: push on repository alice/other)", response.ReasonPhrase);
        Assert.Empty(_edge.Backend.Received);
    }

    [Fact]
    public async Task Invoke_MountSourceTheAclRefuses_403NamingTheSource()
    {
        using var response = await _edge.SendAsync(HttpMethod.Post, "/v2/alice/app/blobs/uploads/?mount=sha256:" + new string('a', 64) + "&from=admin/secret", Alice);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var (_, message, detail) = await ErrorAsync(response);
        Assert.Equal("requested access to the resource is denied: pull on repository admin/secret (the cross-repository mount source)", message);
        Assert.Equal("""[{"Type":"repository","Class":"","Name":"admin/secret","Action":"pull"}]""", detail);
    }

    [Fact]
    public async Task Invoke_NothingGranted_EveryRefusedActionListed()
    {
        using var response = await _edge.SendAsync(HttpMethod.Put, "/v2/admin/app/manifests/v1", Alice);

        var (_, message, detail) = await ErrorAsync(response);
        Assert.Equal("requested access to the resource is denied: pull, push on repository admin/app", message);
        Assert.Equal("""[{"Type":"repository","Class":"","Name":"admin/app","Action":"pull"},{"Type":"repository","Class":"","Name":"admin/app","Action":"push"}]""", detail);
    }

    [Fact]
    public async Task Invoke_WrongPasswordOnAPush_401WithTheRequestedAccessAsDetail()
    {
        using var push = await _edge.SendAsync(HttpMethod.Post, "/v2/alice/app/blobs/uploads/", EdgeTestHost.Basic(EdgeTestHost.User, "wrong"));
        using var login = await _edge.SendAsync(HttpMethod.Get, "/v2/", EdgeTestHost.Basic(EdgeTestHost.User, "wrong"));

        Assert.Equal(HttpStatusCode.Unauthorized, push.StatusCode);
        var (code, message, detail) = await ErrorAsync(push);
        Assert.Equal(("UNAUTHORIZED", "authentication required"), (code, message));
        Assert.Equal("""[{"Type":"repository","Class":"","Name":"alice/app","Action":"pull"},{"Type":"repository","Class":"","Name":"alice/app","Action":"push"}]""", detail);

        // /v2/ asks for no access: null, as Go writes the registry's empty list.
        Assert.Equal("null", (await ErrorAsync(login)).Detail);
    }

    [Theory]
    [InlineData("GET", "/v2/alice/app/manifests/v1")]
    [InlineData("HEAD", "/v2/alice/app/blobs/sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("POST", "/v2/alice/app/blobs/uploads/")]
    [InlineData("HEAD", "/v2/")]
    public async Task Invoke_LockedPairOnARequest_403WithLockEndInMessageReasonPhraseAndRetryAfter(string method, string path)
    {
        _edge.Cache.CheckAnswer = (_, _) => Locked(DenialReason.PairLocked);

        using var response = await _edge.SendAsync(new HttpMethod(method), path, Alice);

        const string message = "account locked for this address until 2030-01-02T03:04:05Z after 5 failed attempts";
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(539), response.Headers.RetryAfter!.Delta);
        Assert.Equal($"Forbidden ({message})", response.ReasonPhrase);
        Assert.Null(response.Headers.Location);
        Assert.Empty(response.Headers.WwwAuthenticate);
        if (method != "HEAD")
        {
            var (code, text, _) = await ErrorAsync(response);
            Assert.Equal(("DENIED", message), (code, text));
        }

        Assert.Empty(_edge.Backend.Received);
    }

    [Theory]
    [InlineData(DenialReason.PairLocked, "account-locked:for-this-address-until-2030-01-02T03:04:05Z", "account locked for this address until 2030-01-02T03:04:05Z after 5 failed attempts")]
    [InlineData(DenialReason.UserLocked, "account-locked:until-2030-01-02T03:04:05Z", "account locked until 2030-01-02T03:04:05Z after 5 failed attempts")]
    [InlineData(DenialReason.AddressBlocked, "address-blocked:until-2030-01-02T03:04:05Z", "this client address is blocked until 2030-01-02T03:04:05Z after 5 failed attempts")]
    public async Task Invoke_LockedLoginCheck_303ToALockUriThatClientsReport(DenialReason reason, string location, string message)
    {
        _edge.Cache.CheckAnswer = (_, _) => Locked(reason);

        using var response = await _edge.SendAsync(HttpMethod.Get, "/v2/", Alice);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal(location, response.Headers.Location!.OriginalString);
        Assert.Equal(TimeSpan.FromSeconds(539), response.Headers.RetryAfter!.Delta);
        var (code, text, _) = await ErrorAsync(response);
        Assert.Equal(("DENIED", message), (code, text));
        Assert.Equal("registry/2.0", Assert.Single(response.Headers.GetValues("Docker-Distribution-Api-Version")));
    }

    [Fact]
    public async Task Invoke_RequestLimitOnALoginCheck_Still429WithHonestRetryAfter()
    {
        _edge.Cache.CheckAnswer = (_, _) => new CredentialDecision { Outcome = CredentialOutcome.RateLimited, Reason = DenialReason.RequestLimit, Limit = 10, Window = TimeSpan.FromMinutes(1), RetryAfter = TimeSpan.FromSeconds(42) };

        using var login = await _edge.SendAsync(HttpMethod.Get, "/v2/", Alice);
        using var pull = await _edge.SendAsync(HttpMethod.Get, "/v2/alice/app/manifests/v1", Alice);

        foreach (var response in new[] { login, pull })
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(42), response.Headers.RetryAfter!.Delta);
            Assert.Null(response.Headers.Location);
            Assert.Equal("TOOMANYREQUESTS", (await ErrorAsync(response)).Code);
        }
    }

    [Fact]
    public void ReasonPhrase_MessageWithControlsAndNonAscii_OnlyPrintableAsciiAndBounded()
    {
        var phrase = RegistryResponses.ReasonPhrase(new RegistryError(RegistryErrorCode.Denied, "a\r\nb\tc é " + new string('x', 500)));

        Assert.NotNull(phrase);
        Assert.StartsWith("Forbidden (a??b?c ? x", phrase, StringComparison.Ordinal);
        Assert.All(phrase, c => Assert.InRange(c, ' ', '~'));
        Assert.Equal(RegistryResponses.MaxReasonPhrase, phrase.Length);
        Assert.Null(RegistryResponses.ReasonPhrase(new RegistryError(RegistryErrorCode.Unauthorized)));
    }

    private static CredentialDecision Locked(DenialReason reason) => new()
    {
        Outcome = CredentialOutcome.Locked,
        Reason = reason,
        Failures = 5,
        LockedUntil = LockedUntil,
        RetryAfter = TimeSpan.FromSeconds(539),
    };

    private static async Task<(string Code, string Message, string Detail)> ErrorAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = json.RootElement.GetProperty("errors")[0];
        return (error.GetProperty("code").GetString()!, error.GetProperty("message").GetString()!, error.GetProperty("detail").GetRawText());
    }
}
