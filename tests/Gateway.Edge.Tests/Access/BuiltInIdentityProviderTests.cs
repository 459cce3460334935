using System.Text;
using Gateway.Edge.Access;
using Gateway.Edge.Access.Identify;
using Gateway.Edge.Access.Identify.Anonymous;
using Gateway.Edge.Access.Identify.Htpasswd;
using Gateway.Edge.Access.Identify.IssuedTokens;
using Gateway.Edge.Access.Identify.MachineAccounts;
using Gateway.Edge.Tests.Support;
using Gateway.Edge.TokenServer;
using Gateway.Registry.Access;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Edge.Tests.Access;

/// <summary>
/// Each built-in identity provider plugs into the same pipeline: the chain asks it, it answers an identity of its
/// kind (or passes the request on), and the middleware decides from that identity alone.
/// </summary>
public sealed class BuiltInIdentityProviderTests
{
    private const string Acl = """
        acl:
          - match: {account: ""}
            actions: ["pull"]
            comment: anonymous pulls
          - match: {account: "/.+/"}
            actions: ["*"]
        """;

    [Fact]
    public async Task IdentifyAsync_HtpasswdUser_PasswordIdentityThenCached()
    {
        await using var edge = await EdgeTestHost.StartAsync();
        var chain = edge.Services.GetRequiredService<IdentityChain>();

        var first = await chain.IdentifyAsync(Pull(edge, Basic(EdgeTestHost.User, EdgeTestHost.Password)), default);
        var second = await chain.IdentifyAsync(Pull(edge, Basic(EdgeTestHost.User, EdgeTestHost.Password)), default);

        Assert.Equal(IdentityKind.Password, first.Identity!.Kind);
        Assert.Equal(EdgeTestHost.User, first.Identity.Account);
        Assert.Equal(CacheResult.Miss, first.Identity.Cache);
        Assert.Equal(CacheResult.Hit, second.Identity!.Cache);
    }

    [Fact]
    public async Task IdentifyAsync_MachineAccount_MachineIdentityWithItsScopes()
    {
        await using var edge = await EdgeTestHost.StartAsync();
        edge.Cache.AddMachineAccount("ci", "machine-secret", "repository:team/*:pull");
        var provider = edge.Services.GetRequiredService<MachineAccountIdentityProvider>();

        var machine = await provider.IdentifyAsync(Pull(edge, Basic("robot$ci", "machine-secret")), default);
        var user = await provider.IdentifyAsync(Pull(edge, Basic(EdgeTestHost.User, EdgeTestHost.Password)), default);

        Assert.Equal(IdentityKind.MachineAccount, machine.Identity!.Kind);
        Assert.Equal(["repository:team/*:pull"], machine.Identity.Admission!.Scopes!);
        Assert.Equal(IdentityStatus.NotMine, user.Status); // a user name is passed on to the next provider
    }

    [Fact]
    public async Task IdentifyAsync_NoCredentialsAnonymousOn_AnonymousIdentityForWhatTheAclGrantsEmptyAccount()
    {
        await using var edge = await EdgeTestHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Auth:Anonymous"] = "true" }, acl: Acl);
        var provider = edge.Services.GetRequiredService<AnonymousIdentityProvider>();

        var pull = await provider.IdentifyAsync(Pull(edge, null), default);
        var push = await provider.IdentifyAsync(Read(edge, HttpMethods.Post, "/v2/team/app/blobs/uploads/", null), default);

        Assert.Equal(IdentityKind.Anonymous, pull.Identity!.Kind);
        Assert.Equal(string.Empty, pull.Identity.Account);
        Assert.Equal(IdentityStatus.NotMine, push.Status); // the ACL does not grant "" a push: challenged instead
    }

    [Fact]
    public async Task IdentifyAsync_TokenModeBearer_IssuedTokenIdentityAdmittedByItsSubjectsGrain()
    {
        await using var edge = await EdgeTestHost.StartAsync(new Dictionary<string, string?> { ["Gateway:Auth:Mode"] = "token" }, configure: Gateway.Edge.Tests.TokenServer.TokenEndpointTests.TokenSettings);
        var tokens = edge.Services.GetRequiredService<TokenService>();
        var issued = tokens.Issuer.Issue(EdgeTestHost.User, [Scope("repository:team/app:pull")], tokens.CredentialBinding(EdgeTestHost.User));
        var provider = edge.Services.GetRequiredService<IssuedTokenIdentityProvider>();

        var result = await provider.IdentifyAsync(Pull(edge, "Bearer " + issued.Token), default);

        Assert.Equal(IdentityKind.IssuedToken, result.Identity!.Kind);
        Assert.Equal(EdgeTestHost.User, result.Identity.Account);
        Assert.Contains(edge.Cache.Admissions, a => a.Subject == EdgeTestHost.User);
    }

    [Fact]
    public async Task CredentialProviders_Default_MachineAccountsThenHtpasswd()
    {
        await using var edge = await EdgeTestHost.StartAsync();

        var names = edge.Services.GetRequiredService<IdentityChain>().CredentialProviders.Select(p => p.Name);

        Assert.Equal([MachineAccountIdentityProvider.ProviderName, HtpasswdIdentityProvider.ProviderName], names);
    }

    private static AccessScope Scope(string text) => AccessScope.TryParse(text, out var scope) ? scope : throw new ArgumentException(text);

    private static string Basic(string user, string password) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    private static AccessRequest Pull(EdgeTestHost edge, string? authorization) => Read(edge, HttpMethods.Get, "/v2/team/app/manifests/v1", authorization);

    private static AccessRequest Read(EdgeTestHost edge, string method, string target, string? authorization)
    {
        var context = new DefaultHttpContext { RequestServices = edge.Services };
        context.Request.Method = method;
        context.Request.Path = target;
        context.Request.Host = new HostString("registry.test");
        context.Connection.RemoteIpAddress = System.Net.IPAddress.Loopback;
        if (authorization is not null)
        {
            context.Request.Headers.Authorization = authorization;
        }

        Assert.Equal(RequestReadStatus.Ok, RegistryRequestReader.TryRead(method, target, [], out var read));
        return AccessRequest.ForRegistry(context, read!);
    }
}
