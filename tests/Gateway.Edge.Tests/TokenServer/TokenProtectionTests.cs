using System.Net;
using System.Net.Http.Headers;
using Gateway.Contracts;
using Gateway.Edge.Tests.Support;
using static Gateway.Edge.Tests.Support.TokenTestClient;
using Gateway.Registry.Tokens;

namespace Gateway.Edge.Tests.TokenServer;

/// <summary>
/// Token mode and the refresh grant ask the subject's grain (here the double) before going on: revocations answer
/// 401, limits 429, locks 401 (303 for a login check), an undecidable cluster 503; tokens that are expired or made for another issuer or
/// service never reach the backend.
/// </summary>
public sealed class TokenProtectionTests : IAsyncLifetime
{
    private EdgeTestHost _edge = null!;

    public async Task InitializeAsync() => _edge = await EdgeTestHost.StartAsync(
        new Dictionary<string, string?> { ["Gateway:Auth:Mode"] = "token" },
        acl: Authorization.AclEnforcementTests.Acl,
        configure: TokenEndpointTests.TokenSettings);

    public async Task DisposeAsync() => await _edge.DisposeAsync();

    [Fact]
    public async Task BearerRequest_AdmittedByTheSubjectsGrain_WithKindAddressAndIssueTime()
    {
        var token = await TokenAsync(_edge, "repository:alice/app:pull");

        using var response = await _edge.SendAsync(HttpMethod.Get, "/v2/alice/app/manifests/v1", Bearer(token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (subject, admission) = Assert.Single(_edge.Cache.Admissions);
        Assert.Equal("alice", subject);
        Assert.Equal(RequestKind.ManifestGet, admission.Kind);
        Assert.Equal("127.0.0.1", admission.ClientAddress);
        Assert.False(admission.IsGrant);
        Assert.Equal(Claims(_edge, token).IssuedAt, admission.TokenIssuedAt);
    }

    [Fact]
    public async Task BearerRequest_RevokedToken_401InvalidTokenNotForwarded()
    {
        var token = await TokenAsync(_edge, "repository:alice/app:pull");
        _edge.Cache.AdmissionAnswer = (_, _) => new CredentialDecision { Outcome = CredentialOutcome.Denied, Reason = DenialReason.TokenRevoked };

        using var response = await _edge.SendAsync(HttpMethod.Get, "/v2/alice/app/tags/list", Bearer(token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.EndsWith(",error=\"invalid_token\"", Assert.Single(response.Headers.GetValues("WWW-Authenticate")), StringComparison.Ordinal);
        Assert.Equal("UNAUTHORIZED", await ErrorCodeAsync(response));
        Assert.Empty(_edge.Backend.Received);
    }

    [Fact]
    public async Task BearerRequest_PullLimitReached_429WithRetryAfterAndBudgetHeaders()
    {
        var token = await TokenAsync(_edge, "repository:alice/app:pull");
        _edge.Cache.AdmissionAnswer = (_, _) => new CredentialDecision
        {
            Outcome = CredentialOutcome.RateLimited,
            Reason = DenialReason.PullLimit,
            RetryAfter = TimeSpan.FromSeconds(90),
            Limit = 100,
            Window = TimeSpan.FromHours(6),
            Pulls = new PullBudget { Limit = 100, Remaining = 0, Window = TimeSpan.FromHours(6) },
        };

        using var response = await _edge.SendAsync(HttpMethod.Get, "/v2/alice/app/manifests/v1", Bearer(token));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(90), response.Headers.RetryAfter!.Delta);
        Assert.Equal("100;w=21600", Assert.Single(response.Headers.GetValues("ratelimit-limit")));
        Assert.Equal("0;w=21600", Assert.Single(response.Headers.GetValues("ratelimit-remaining")));
        Assert.Equal("TOOMANYREQUESTS", await ErrorCodeAsync(response));
        Assert.Contains("pull rate limit reached (100 per 21600 s)", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(_edge.Backend.Received);
    }

    [Fact]
    public async Task BearerRequest_ClusterCannotDecide_503Unavailable()
    {
        var token = await TokenAsync(_edge, "repository:alice/app:pull");
        _edge.Cache.AdmissionAnswer = (_, _) => throw new TimeoutException("simulated silo failure");

        using var response = await _edge.SendAsync(HttpMethod.Get, "/v2/alice/app/tags/list", Bearer(token));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("UNAVAILABLE", await ErrorCodeAsync(response));
        Assert.Equal(2, _edge.Cache.Admissions.Count);
        Assert.Empty(_edge.Backend.Received);
    }

    [Fact]
    public async Task BearerRequest_UserRemovedFromHtpasswd_TokenRefusedBeforeItExpires()
    {
        var token = await TokenAsync(_edge, "repository:alice/app:pull");
        using (var before = await _edge.SendAsync(HttpMethod.Get, "/v2/alice/app/tags/list", Bearer(token)))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        await File.WriteAllTextAsync(_edge.HtpasswdPath, $"bob:{BCrypt.Net.BCrypt.HashPassword("bob-password", 4)}\n");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            using var after = await _edge.SendAsync(HttpMethod.Get, "/v2/alice/app/tags/list", Bearer(token));
            if (after.StatusCode == HttpStatusCode.Unauthorized)
            {
                Assert.EndsWith(",error=\"invalid_token\"", Assert.Single(after.Headers.GetValues("WWW-Authenticate")), StringComparison.Ordinal);
                break;
            }

            Assert.Equal(HttpStatusCode.OK, after.StatusCode);
            Assert.True(DateTime.UtcNow < deadline, "the removed user's token still works");
            await Task.Delay(100);
        }
    }

    [Theory]
    [InlineData("expired")]
    [InlineData("issuer")]
    [InlineData("service")]
    public async Task BearerRequest_ExpiredOrForeignToken_401InvalidTokenWithoutAskingTheGrain(string kind)
    {
        using var key = TokenSigningKey.Load(Path.Combine(_edge.Folder, "token.key"), null).Key!;
        var options = new RegistryTokenOptions { Issuer = TokenEndpointTests.Issuer, Service = TokenEndpointTests.Service };
        var time = TimeProvider.System;
        switch (kind)
        {
            case "expired":
                time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow - options.Lifetime - TimeSpan.FromSeconds(61));
                break;
            case "issuer":
                options.Issuer = "someone-else";
                break;
            default:
                options.Service = "another.registry";
                break;
        }

        var token = new RegistryTokenIssuer(key, options, time).Issue("alice", [Scope("repository:alice/app:pull")]).Token;

        using var response = await _edge.SendAsync(HttpMethod.Get, "/v2/alice/app/tags/list", Bearer(token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.EndsWith(",error=\"invalid_token\"", Assert.Single(response.Headers.GetValues("WWW-Authenticate")), StringComparison.Ordinal);
        Assert.Empty(_edge.Cache.Admissions);
        Assert.Empty(_edge.Backend.Received);
    }

    [Fact]
    public async Task RefreshGrant_AdmittedAsAGrantWithTheRefreshTokensIssueTime()
    {
        var refresh = await RefreshTokenAsync(_edge);

        using var response = await RefreshAsync(_edge, refresh);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (subject, admission) = Assert.Single(_edge.Cache.Admissions);
        Assert.Equal("alice", subject);
        Assert.True(admission.IsGrant);
        Assert.True(DateTimeOffset.UtcNow - admission.TokenIssuedAt < TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task RefreshGrant_Revoked_401_Locked_401WithScopes303Without_Undecidable_503()
    {
        var refresh = await RefreshTokenAsync(_edge);
        var lockedUntil = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);

        _edge.Cache.AdmissionAnswer = (_, _) => new CredentialDecision { Outcome = CredentialOutcome.Denied, Reason = DenialReason.TokenRevoked };
        using var revoked = await RefreshAsync(_edge, refresh);
        _edge.Cache.AdmissionAnswer = (_, _) => new CredentialDecision { Outcome = CredentialOutcome.Locked, Reason = DenialReason.PairLocked, Failures = 5, LockedUntil = lockedUntil, RetryAfter = TimeSpan.FromMinutes(15) };
        using var locked = await RefreshAsync(_edge, refresh, "repository:alice/app:pull,push");
        using var lockedLogin = await RefreshAsync(_edge, refresh);
        _edge.Cache.AdmissionAnswer = (_, _) => throw new TimeoutException("simulated silo failure");
        using var unavailable = await RefreshAsync(_edge, refresh);

        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.Equal("UNAUTHORIZED", await ErrorCodeAsync(revoked));
        Assert.DoesNotContain("\"token\"", await revoked.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // A token request for a pull or a push: 401, which containers/image reports with its body (a 429 it does not).
        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        Assert.Equal(TimeSpan.FromMinutes(15), locked.Headers.RetryAfter!.Delta);
        Assert.StartsWith("Basic ", Assert.Single(locked.Headers.GetValues("WWW-Authenticate")), StringComparison.Ordinal);
        Assert.Equal("UNAUTHORIZED", await ErrorCodeAsync(locked));
        var body = await locked.Content.ReadAsStringAsync();
        Assert.Contains("account locked for this address until 2030-01-02T03:04:05Z after 5 failed attempts", body, StringComparison.Ordinal);
        Assert.Contains("\"detail\":[{\"Type\":\"repository\",\"Class\":\"\",\"Name\":\"alice/app\",\"Action\":\"pull\"}", body, StringComparison.Ordinal);
        Assert.Equal("Unauthorized (account locked for this address until 2030-01-02T03:04:05Z after 5 failed attempts)", locked.ReasonPhrase);

        // A token request without scopes is a login check: a redirect clients report with its target.
        Assert.Equal(HttpStatusCode.SeeOther, lockedLogin.StatusCode);
        Assert.Equal("account-locked:for-this-address-until-2030-01-02T03:04:05Z", lockedLogin.Headers.Location!.OriginalString);
        Assert.Equal("DENIED", await ErrorCodeAsync(lockedLogin));
        Assert.DoesNotContain("\"token\"", await lockedLogin.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.StatusCode);
        Assert.Equal("UNAVAILABLE", await ErrorCodeAsync(unavailable));
    }

    [Fact]
    public async Task TokenEndpoint_LockedPassword_401ForScopedRequests303ForTheLoginCheck()
    {
        _edge.Cache.CheckAnswer = (_, _) => new CredentialDecision { Outcome = CredentialOutcome.Locked, Reason = DenialReason.UserLocked, Failures = 50, LockedUntil = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero), RetryAfter = TimeSpan.FromSeconds(90) };

        using var pull = await _edge.SendAsync(HttpMethod.Get, $"/token?service={TokenEndpointTests.Service}&scope=repository:alice/app:pull", Alice);
        using var login = await _edge.SendAsync(HttpMethod.Get, $"/token?service={TokenEndpointTests.Service}&offline_token=true&client_id=docker", Alice);

        Assert.Equal(HttpStatusCode.Unauthorized, pull.StatusCode);
        Assert.Equal("UNAUTHORIZED", await ErrorCodeAsync(pull));
        Assert.Contains("account locked until 2030-01-02T03:04:05Z after 50 failed attempts", await pull.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(90), pull.Headers.RetryAfter!.Delta);
        Assert.Equal(HttpStatusCode.SeeOther, login.StatusCode);
        Assert.Equal("account-locked:until-2030-01-02T03:04:05Z", login.Headers.Location!.OriginalString);
        Assert.DoesNotContain("\"token\"", await login.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenEndpoint_RateLimitedLogin_429WithRetryAfterAndNoToken()
    {
        // The double answers the password check itself: make its first answer a reached limit.
        var cache = _edge.Cache;
        using var first = await _edge.SendAsync(HttpMethod.Get, $"/token?service={TokenEndpointTests.Service}", EdgeTestHost.Basic(EdgeTestHost.User, EdgeTestHost.Password));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        cache.CheckAnswer = (_, _) => new CredentialDecision { Outcome = CredentialOutcome.RateLimited, Reason = DenialReason.RequestLimit, Limit = 10, Window = TimeSpan.FromMinutes(1), RetryAfter = TimeSpan.FromSeconds(42) };

        using var limited = await _edge.SendAsync(HttpMethod.Get, $"/token?service={TokenEndpointTests.Service}", EdgeTestHost.Basic(EdgeTestHost.User, EdgeTestHost.Password));

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(42), limited.Headers.RetryAfter!.Delta);
        Assert.Equal("TOOMANYREQUESTS", await ErrorCodeAsync(limited));
        Assert.Contains("request rate limit reached (10 per 60 s)", await limited.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenRequests_CountedByGrantAndOutcome()
    {
        var counted = new System.Collections.Concurrent.ConcurrentQueue<(string Grant, string Outcome)>();
        var factory = _edge.Services.GetService(typeof(System.Diagnostics.Metrics.IMeterFactory));
        using var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "gateway.token.requests" && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? grant = null, outcome = null;
            foreach (var tag in tags)
            {
                grant = tag.Key == "grant" ? tag.Value as string : grant;
                outcome = tag.Key == "outcome" ? tag.Value as string : outcome;
            }

            counted.Enqueue((grant!, outcome!));
        });
        listener.Start();

        var refresh = await RefreshTokenAsync(_edge);
        using (await RefreshAsync(_edge, refresh))
        using (await _edge.SendAsync(HttpMethod.Get, $"/token?service={TokenEndpointTests.Service}", EdgeTestHost.Basic(EdgeTestHost.User, "wrong")))
        using (await _edge.SendAsync(HttpMethod.Get, $"/token?service={TokenEndpointTests.Service}"))
        {
        }

        Assert.Equal(
            [("password", "issued"), ("refresh_token", "issued"), ("password", "invalid_credentials"), ("none", "unauthenticated")],
            counted.ToArray());
    }

    private static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);
}
