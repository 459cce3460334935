using System.Collections.Concurrent;
using System.Net;
using Gateway.Edge.Access;
using Gateway.Edge.Access.Identify;
using Gateway.Edge.Access.Identify.Passwords;
using Gateway.Edge.Tests.Support;
using Gateway.Registry.Credentials;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gateway.Edge.Tests.Access;

/// <summary>A new identity source is one provider and one registration line, ordered by Gateway:Auth:Providers.</summary>
public sealed class IdentityProviderTests
{
    private const string DirectoryUser = "dana";
    private const string DirectoryPassword = "from-the-directory";

    [Fact]
    public async Task IdentifyAsync_ListedProvider_ItsUserPassesAndIsVerifiedOnce()
    {
        var directory = new StubDirectory();
        await using var edge = await StartAsync(directory);

        using var first = await edge.SendAsync(HttpMethod.Get, "/v2/", EdgeTestHost.Basic(DirectoryUser, DirectoryPassword));
        using var second = await edge.SendAsync(HttpMethod.Get, "/v2/", EdgeTestHost.Basic(DirectoryUser, DirectoryPassword));
        using var htpasswdUser = await edge.SendAsync(HttpMethod.Get, "/v2/", EdgeTestHost.Basic(EdgeTestHost.User, EdgeTestHost.Password));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.OK, htpasswdUser.StatusCode);
        Assert.Equal(1, directory.Verifications[DirectoryUser]); // the second request was answered by the grain's cache
    }

    [Fact]
    public async Task IdentifyAsync_WrongDirectoryPassword_ChallengedAsForHtpasswd()
    {
        await using var edge = await StartAsync(new StubDirectory());

        using var refused = await edge.SendAsync(HttpMethod.Get, "/v2/", EdgeTestHost.Basic(DirectoryUser, "wrong"));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.StartsWith("Basic", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Contains("UNAUTHORIZED", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task IdentifyAsync_SourceUnavailable_503UnavailableWithRetryAfter()
    {
        await using var edge = await StartAsync(new StubDirectory { Down = true });

        using var refused = await edge.SendAsync(HttpMethod.Get, "/v2/", EdgeTestHost.Basic(DirectoryUser, DirectoryPassword));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Contains("UNAVAILABLE", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task IdentifyAsync_ProviderNotListed_NeverAsked()
    {
        var directory = new StubDirectory();
        await using var edge = await StartAsync(directory, providers: ["machine-accounts", "htpasswd"]);

        using var refused = await edge.SendAsync(HttpMethod.Get, "/v2/", EdgeTestHost.Basic(DirectoryUser, DirectoryPassword));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Empty(directory.Verifications);
    }

    [Fact]
    public async Task Start_UnknownProviderName_FailsNamingTheKey()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(new StubDirectory(), providers: ["htpasswd", "ldapp"]));

        Assert.Contains("Gateway:Auth:Providers", failure.Message, StringComparison.Ordinal);
        Assert.Contains("ldapp", failure.Message, StringComparison.Ordinal);
    }

    private static Task<EdgeTestHost> StartAsync(StubDirectory directory, string[]? providers = null)
    {
        providers ??= ["machine-accounts", "directory", "htpasswd"];
        var settings = new Dictionary<string, string?>();
        for (var i = 0; i < providers.Length; i++)
        {
            settings[$"Gateway:Auth:Providers:{i}"] = providers[i];
        }

        return EdgeTestHost.StartAsync(settings, configureBuilder: builder =>
        {
            builder.Services.AddSingleton(directory);
            builder.Services.AddIdentityProvider<DirectoryProvider>("directory"); // the one registration line
        });
    }

    /// <summary>A directory in memory: knows one user; can be down.</summary>
    private sealed class StubDirectory : ICredentialVerifier
    {
        public bool Down { get; init; }

        public ConcurrentDictionary<string, int> Verifications { get; } = new();

        public ValueTask<CredentialVerification> VerifyAsync(string userName, Secret password, CancellationToken cancellationToken)
        {
            Verifications.AddOrUpdate(userName, 1, (_, n) => n + 1);
            if (Down)
            {
                return ValueTask.FromResult(CredentialVerification.Unavailable);
            }

            var valid = userName == DirectoryUser && password.ToSha256().SequenceEqual(Secret.FromString(DirectoryPassword).ToSha256());
            return ValueTask.FromResult(valid
                ? new CredentialVerification(VerificationOutcome.Valid, new Dictionary<string, IReadOnlyList<string>> { ["group"] = ["ci"] }, null)
                : CredentialVerification.Invalid);
        }
    }

    /// <summary>Takes the names its directory knows and passes the rest on, as a directory provider listed before htpasswd does.</summary>
    private sealed class DirectoryProvider(GrainCachedPasswords passwords, StubDirectory directory) : IIdentityProvider
    {
        public string Name => "directory";

        public ValueTask<IdentityResult> IdentifyAsync(AccessRequest request, CancellationToken cancellationToken) =>
            request.Basic is { UserName: DirectoryUser } credentials
                ? passwords.IdentifyAsync(request, credentials.UserName, credentials, directory, cancellationToken)
                : ValueTask.FromResult(IdentityResult.NotMine);
    }
}
