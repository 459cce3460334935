using System.Net;
using Gateway.Registry.Access;
using Gateway.Registry.Acl;

namespace Gateway.Registry.Tests.Acl;

public sealed class AclEvaluatorTests
{
    private const string Service = "registry.example.com";
    private static readonly string[] PullPush = ["pull", "push"];
    private static readonly string[] All = ["*"];

    private static readonly Lazy<AclEvaluator> Sample = new(() => AclSamples.Evaluator(AclSamples.DockerAuthConfig));

    [Theory]
    [InlineData("admin", "repository", "anyone/app", "pull,push,delete", "pull,push,delete")]
    [InlineData("admin", "registry", "catalog", "*", "*")]
    [InlineData("reader", "repository", "team/app", "pull,push", "pull")]
    [InlineData("reader", "repository", "reader/app", "pull,push", "pull")]
    [InlineData("reader", "registry", "catalog", "*", "")]
    [InlineData("blocked", "repository", "blocked/app", "pull", "")]
    [InlineData("alice", "repository", "alice/app", "pull,push", "pull,push")]
    [InlineData("alice", "repository", "alice/app", "delete", "")]
    [InlineData("alice", "repository", "alice/team/app", "pull,push", "pull")]
    [InlineData("alice", "repository", "bob/app", "pull,push", "pull")]
    [InlineData("alice", "registry", "catalog", "*", "*")]
    [InlineData("ci-robot", "repository", "build/app", "pull,push", "pull,push")]
    [InlineData("ci-robot", "repository", "release/app", "pull,push", "pull")]
    [InlineData("ci-robot2", "repository", "build/app", "pull,push", "pull")]
    [InlineData("john.smith@example.com", "repository", "john.smith/app", "pull,push,delete", "pull,push,delete")]
    [InlineData("john.smith@example.com", "repository", "jane/app", "pull,push", "pull")]
    [InlineData("", "repository", "hello-world", "pull,push", "pull")]
    [InlineData("", "repository", "alpine", "pull", "")]
    [InlineData("", "registry", "catalog", "*", "")]
    public void Authorize_DockerAuthSample_GrantsAsDockerAuth(string account, string type, string name, string requested, string expected)
    {
        var decision = Sample.Value.Authorize(new AclRequest(account, type, name, Service, IPAddress.Parse("192.0.2.1")), requested.Split(','));

        Assert.Equal(expected, string.Join(',', decision.Granted));
    }

    [Theory]
    [InlineData("10.1.0.1", "pull,push,delete")]
    [InlineData("10.1.255.254", "pull,push,delete")]
    [InlineData("::ffff:10.1.2.3", "pull,push,delete")]
    [InlineData("10.2.0.1", "pull")]
    [InlineData("2001:db8::1", "pull")]
    public void Authorize_IpRule_MatchesAddressesInCidr(string address, string expected)
    {
        var decision = Sample.Value.Authorize(new AclRequest("alice", "repository", "bob/app", Service, IPAddress.Parse(address)), ["pull", "push", "delete"]);

        Assert.Equal(expected, string.Join(',', decision.Granted));
    }

    [Fact]
    public void Authorize_UnknownClientAddress_IpRuleDoesNotMatch()
    {
        var decision = Sample.Value.Authorize(new AclRequest("alice", "repository", "bob/app", Service, null), PullPush);

        Assert.Equal(["pull"], decision.Granted);
    }

    [Fact]
    public void Authorize_Decision_NamesTheMatchingRule()
    {
        var decision = Sample.Value.Authorize(new AclRequest("reader", "repository", "a", Service, null), PullPush);

        Assert.Equal(2, decision.Rule?.Index);
        Assert.Equal("A read-only user", decision.Rule?.Comment);
        Assert.False(decision.IsDenied);
    }

    [Fact]
    public void Authorize_NoRuleMatches_DeniedWithoutRule()
    {
        var decision = Sample.Value.Authorize(new AclRequest(string.Empty, "repository", "private/app", Service, null), ["pull"]);

        Assert.True(decision.IsDenied);
        Assert.Null(decision.Rule);
    }

    [Fact]
    public void Authorize_FirstMatchWins_EarlierDenyBeatsLaterAllow()
    {
        var evaluator = AclSamples.Evaluator("""
            acl:
              - match: {account: alice, name: "secret/*"}
                actions: []
              - match: {account: "/.+/"}
                actions: ["*"]
            """);

        var denied = evaluator.Authorize(new AclRequest("alice", "repository", "secret/app", Service, null), ["pull"]);
        var allowed = evaluator.Authorize(new AclRequest("alice", "repository", "public/app", Service, null), ["pull"]);

        Assert.Empty(denied.Granted);
        Assert.Equal(0, denied.Rule?.Index);
        Assert.Equal(["pull"], allowed.Granted);
    }

    [Fact]
    public void Authorize_FirstMatchWins_PartialGrantIsNotTopUpByLaterRule()
    {
        var evaluator = AclSamples.Evaluator("""
            acl:
              - match: {account: alice}
                actions: [pull]
              - match: {account: alice}
                actions: [push]
            """);

        Assert.Equal(["pull"], evaluator.Authorize(new AclRequest("alice", "repository", "x", Service, null), PullPush).Granted);
    }

    [Theory]
    [InlineData("a.*", "ab/x")]
    [InlineData("a.*", "a/x")]
    [InlineData("*", "bob/x")]
    [InlineData("?", "b/x")]
    [InlineData("[a-z]", "b/x")]
    [InlineData("a\\", "a/x")]
    public void Authorize_AccountWithGlobOrRegexCharacters_PlaceholderMatchesLiterally(string account, string name)
    {
        var evaluator = AclSamples.Evaluator("""
            acl:
              - match: {account: "/.+/", name: "${account}/*"}
                actions: [push, pull]
              - match: {account: "/.+/", name: "/^${account}\\/.+$/"}
                actions: [push, pull]
            """);

        var decision = evaluator.Authorize(new AclRequest(account, "repository", name, Service, null), PullPush);

        Assert.Empty(decision.Granted);
        Assert.Null(decision.Rule);
    }

    [Theory]
    [InlineData("alice", "alice/x", 0)]
    [InlineData("a.b", "a.b/x", 0)]
    [InlineData("a.*", "a.*/x", 0)]
    [InlineData("alice", "alice/x/y", 1)]
    public void Authorize_PlaceholderValue_MatchesItselfInGlobAndRegex(string account, string name, int rule)
    {
        var evaluator = AclSamples.Evaluator("""
            acl:
              - match: {account: "/.+/", name: "${account}/*"}
                actions: [push, pull]
              - match: {account: "/.+/", name: "/^${account}\\/.+$/"}
                actions: [push, pull]
            """);

        var decision = evaluator.Authorize(new AclRequest(account, "repository", name, Service, null), PullPush);

        Assert.Equal(PullPush, decision.Granted);
        Assert.Equal(rule, decision.Rule?.Index);
    }

    [Theory]
    [InlineData("john.smith@test.com", "john.smith/test", true)]
    [InlineData("john.smith@test.com", "johnxsmith/test", false)]
    [InlineData("a*@test.com", "abc/x", false)]
    [InlineData("a*@test.com", "a*/x", true)]
    public void Authorize_CaptureGroupPlaceholder_SubstitutedLiterally(string account, string name, bool granted)
    {
        // docker_auth's own test case, plus the injection its unescaped capture substitution would allow.
        var evaluator = AclSamples.Evaluator("""
            acl:
              - match: {account: "/^(.+)@test\\.com$/", name: "${account:1}/*"}
                actions: ["*"]
            """);

        var decision = evaluator.Authorize(new AclRequest(account, "repository", name, Service, null), ["pull"]);

        Assert.Equal(granted, decision.Granted.Count == 1);
    }

    [Fact]
    public void Authorize_TwoCaptureGroups_BothSubstituted()
    {
        var evaluator = AclSamples.Evaluator("""
            acl:
              - match: {account: "/^(.+)@(.+?).test\\.com$/", name: "${account:1}-${account:2}/*"}
                actions: ["*"]
            """);

        var decision = evaluator.Authorize(new AclRequest("john.smith@it.test.com", "repository", "john.smith-it/test", Service, null), ["pull"]);

        Assert.Equal(["pull"], decision.Granted);
    }

    [Fact]
    public void Authorize_RegexIsUnanchoredSearch_AsGoRegexpMatch()
    {
        var evaluator = AclSamples.Evaluator("""
            acl:
              - match: {name: "/z$/"}
                actions: [pull]
            """);

        Assert.Equal(["pull"], evaluator.Authorize(new AclRequest("a", "repository", "baz", Service, null), ["pull"]).Granted);
        Assert.Empty(evaluator.Authorize(new AclRequest("a", "repository", "zab", Service, null), ["pull"]).Granted);
    }

    [Fact]
    public void Authorize_CatalogWithPullPushDeleteRule_NotGranted()
    {
        // registry:catalog:* asks for the action "*": only actions: ["*"] grants it.
        var evaluator = AclSamples.Evaluator("""
            acl:
              - match: {account: alice}
                actions: [pull, push, delete]
            """);

        var decision = evaluator.Authorize(AclRequest.For("alice", RegistryResource.Catalog, Service, null), All);

        Assert.Empty(decision.Granted);
    }

    [Fact]
    public void Authorize_CatalogRuleAsDockerAuthUsersWriteIt_GrantsStar()
    {
        var evaluator = AclSamples.Evaluator("""
            acl:
              - match: {account: "/.+/", type: registry, name: catalog}
                actions: ["*"]
              - match: {account: "/.+/"}
                actions: [pull]
            """);

        var catalog = evaluator.Authorize(AclRequest.For("alice", RegistryResource.Catalog, Service, null), All);
        var repository = evaluator.Authorize(AclRequest.For("alice", RegistryResource.Repository("catalog"), Service, null), PullPush);

        Assert.Equal(All, catalog.Granted);
        Assert.Equal(["pull"], repository.Granted);
    }

    [Fact]
    public void Authorize_StarInLongerList_IsLiteralAsInDockerAuth()
    {
        var evaluator = AclSamples.Evaluator("""
            acl:
              - match: {}
                actions: [pull, "*"]
            """);

        Assert.Equal(["pull"], evaluator.Authorize(new AclRequest("a", "repository", "x", Service, null), PullPush).Granted);
        Assert.Equal(All, evaluator.Authorize(new AclRequest("a", "registry", "catalog", Service, null), All).Granted);
    }

    [Fact]
    public void Authorize_DuplicateRequestedActions_GrantedOnce()
    {
        var evaluator = AclSamples.Evaluator("acl:\n  - match: {}\n    actions: [\"*\"]\n");

        Assert.Equal(PullPush, evaluator.Authorize(new AclRequest("a", "repository", "x", Service, null), ["pull", "push", "pull"]).Granted);
    }

    [Fact]
    public void Authorize_ServiceCondition_MatchesOnlyThatService()
    {
        var evaluator = AclSamples.Evaluator("""
            acl:
              - match: {service: "registry.example.com"}
                actions: ["*"]
            """);

        Assert.Equal(["pull"], evaluator.Authorize(new AclRequest("a", "repository", "x", Service, null), ["pull"]).Granted);
        Assert.Empty(evaluator.Authorize(new AclRequest("a", "repository", "x", "other", null), ["pull"]).Granted);
    }

    [Fact]
    public void Authorize_LabelsRuleAccountWithoutLabels_NextRuleDecides()
    {
        var evaluator = AclSamples.Evaluator("""
            acl:
              - match: {labels: {group: admins}}
                actions: ["*"]
              - match: {}
                actions: [pull]
            """);

        var decision = evaluator.Authorize(new AclRequest("a", "repository", "x", Service, null), PullPush);

        Assert.Equal(["pull"], decision.Granted);
        Assert.Equal(1, decision.Rule?.Index);
    }

    [Fact]
    public void Authorize_PluginRepositoryScope_MatchedAsRepository()
    {
        var evaluator = AclSamples.Evaluator("acl:\n  - match: {type: repository, name: \"tools/*\"}\n    actions: [pull]\n");
        Assert.True(AccessScope.TryParse("repository(plugin):tools/x:pull", out var scope));

        var granted = evaluator.AuthorizeScope("a", scope, Service, null);

        Assert.Equal(scope.Resource, granted.Resource);
        Assert.Equal(["pull"], granted.Actions);
    }

    [Fact]
    public void AuthorizeScope_Denied_SameResourceNoActions()
    {
        Assert.True(AccessScope.TryParse("repository:a/b:pull,push", out var scope));

        var granted = new AclEvaluator([]).AuthorizeScope("alice", scope, Service, null);

        Assert.Equal(scope.Resource, granted.Resource);
        Assert.Empty(granted.Actions);
    }

    [Fact]
    public void AllowAll_GrantsEverythingRequested()
    {
        var decision = AclEvaluator.AllowAll.Authorize(AclRequest.For("alice", RegistryResource.Catalog, Service, null), All);

        Assert.True(AclEvaluator.AllowAll.IsAllowAll);
        Assert.Equal(All, decision.Granted);
        Assert.Null(decision.Rule);
    }

    [Fact]
    public void Authorize_ManyAccountsThroughRegexPlaceholder_StillCorrectPastCacheBound()
    {
        var evaluator = AclSamples.Evaluator("""
            acl:
              - match: {account: "/.+/", name: "/^${account}\\/.+$/"}
                actions: [push, pull]
            """);

        var wrong = Enumerable.Range(0, 1200)
            .AsParallel()
            .Where(i => evaluator.Authorize(new AclRequest($"user{i}", "repository", $"user{i}/app", Service, null), PullPush).Granted.Count != 2
                || evaluator.Authorize(new AclRequest($"user{i}", "repository", $"user{i + 1}/app", Service, null), PullPush).Granted.Count != 0)
            .ToList();

        Assert.Empty(wrong);
    }
}
