using Gateway.Registry.Acl;

namespace Gateway.Registry.Tests.Acl;

/// <summary>
/// docker_auth's <c>labels</c> conditions and <c>${labels:…}</c> placeholders, with the cases of its
/// <c>auth_server/authz/acl_test.go</c> (TestMatching) plus the escaping this gateway adds.
/// </summary>
public sealed class AclLabelsTests
{
    private const string Service = "notary";

    private static readonly Dictionary<string, IReadOnlyList<string>> Groups = new()
    {
        ["group"] = ["admins", "VIP"],
    };

    private static readonly Dictionary<string, IReadOnlyList<string>> GroupsAndProjects = new()
    {
        ["group"] = ["admins", "VIP"],
        ["project"] = ["api", "frontend"],
    };

    public static TheoryData<string, string, string, bool> DockerAuthCases => new()
    {
        // match conditions (YAML flow mapping), repository name, labels of the account (see Labels), expected
        { "{labels: {foo: bar}}", "baz", "none", false },
        { "{labels: {foo: bar}}", "baz", "groups", false },
        { "{labels: {group: admins}}", "baz", "groups", true },
        { "{labels: {foo: bar, group: admins}}", "baz", "groups", false },
        { "{labels: {group: VIP}}", "baz", "groups", true },
        { "{labels: {group: \"a*\"}}", "baz", "groups", true },
        { "{labels: {group: \"/(admins|VIP)/\"}}", "baz", "groups", true },
        { "{name: \"${labels:group}/*\"}", "baz", "none", false },
        { "{name: \"${labels:noexist}/*\"}", "baz", "groups", false },
        { "{name: \"${labels:group}/*\"}", "admins/foo", "groups", true },
        { "{name: \"${labels:noexist}/*\"}", "admins/foo", "groups", false },
        { "{name: \"${labels:group}/${labels:project}\"}", "VIP/api", "projects", true },
        { "{name: \"${labels:group}/${labels:noexist}\"}", "VIP/api", "projects", false },
        { "{name: \"${labels:group}/${labels:project}\"}", "devs/api", "projects", false },
    };

    [Theory]
    [MemberData(nameof(DockerAuthCases))]
    public void Authorize_DockerAuthMatchingCases_MatchAsDockerAuth(string match, string name, string labels, bool expected)
    {
        var evaluator = AclSamples.Evaluator($"acl:\n  - match: {match}\n    actions: [pull]\n");

        var granted = evaluator.Authorize(Request("foo", name, Labels(labels)), ["pull"]).Granted;

        Assert.Equal(expected, granted.Count == 1);
    }

    [Theory]
    [InlineData("ci", "ci/app", "pull,push")]
    [InlineData("ci-nightly", "ci/app", "pull,push")]
    [InlineData("dev", "ci/app", "pull")]
    [InlineData("dev", "dev/app", "pull,push")]
    public void Authorize_GroupRules_GrantByGroupMembership(string group, string repository, string expected)
    {
        var evaluator = AclSamples.Evaluator("""
            acl:
              - match: {labels: {group: "ci*"}, name: "ci/*"}
                actions: [pull, push]
              - match: {account: "/.+/", name: "${labels:group}/*"}
                actions: [pull, push]
              - match: {account: "/.+/"}
                actions: [pull]
            """);

        var decision = evaluator.Authorize(Request("alice", repository, new() { ["group"] = [group] }), ["pull", "push"]);

        Assert.Equal(expected, string.Join(',', decision.Granted));
    }

    [Theory]
    [InlineData("*")]
    [InlineData("?")]
    [InlineData("[a-z]*")]
    [InlineData(".*")]
    public void Authorize_LabelValueWithPatternCharacters_MatchedLiterally(string group)
    {
        var glob = AclSamples.Evaluator("acl:\n  - match: {name: \"${labels:group}/*\"}\n    actions: [pull]\n");
        var regex = AclSamples.Evaluator("acl:\n  - match: {name: \"/^${labels:group}\\\\//\"}\n    actions: [pull]\n");
        var labels = new Dictionary<string, IReadOnlyList<string>> { ["group"] = [group] };

        Assert.Empty(glob.Authorize(Request("mallory", "secret/app", labels), ["pull"]).Granted);
        Assert.Empty(regex.Authorize(Request("mallory", "secret/app", labels), ["pull"]).Granted);
        Assert.Single(glob.Authorize(Request("mallory", group + "/app", labels), ["pull"]).Granted);
        Assert.Single(regex.Authorize(Request("mallory", group + "/app", labels), ["pull"]).Granted);
    }

    [Fact]
    public void Authorize_SameLabelTwice_SameValueInBothPlaces()
    {
        var evaluator = AclSamples.Evaluator("acl:\n  - match: {name: \"${labels:group}/${labels:group}\"}\n    actions: [pull]\n");

        Assert.Single(evaluator.Authorize(Request("foo", "VIP/VIP", Groups), ["pull"]).Granted);
        Assert.Empty(evaluator.Authorize(Request("foo", "VIP/admins", Groups), ["pull"]).Granted);
    }

    [Fact]
    public void Authorize_RegexWithLabelPlaceholder_TriesEveryValue()
    {
        var evaluator = AclSamples.Evaluator("acl:\n  - match: {name: \"/^(${labels:project})-[0-9]+$/\"}\n    actions: [pull]\n");

        Assert.Single(evaluator.Authorize(Request("foo", "frontend-12", GroupsAndProjects), ["pull"]).Granted);
        Assert.Empty(evaluator.Authorize(Request("foo", "backend-12", GroupsAndProjects), ["pull"]).Granted);
        Assert.Empty(evaluator.Authorize(Request("foo", "frontend-12", Groups), ["pull"]).Granted);
    }

    [Fact]
    public void Authorize_LabelConditionWithAccountPlaceholder_Substituted()
    {
        var evaluator = AclSamples.Evaluator("acl:\n  - match: {labels: {owner: \"${account}\"}}\n    actions: [pull]\n");
        var labels = new Dictionary<string, IReadOnlyList<string>> { ["owner"] = ["bob", "alice"] };

        Assert.Single(evaluator.Authorize(Request("alice", "x", labels), ["pull"]).Granted);
        Assert.Empty(evaluator.Authorize(Request("carol", "x", labels), ["pull"]).Granted);
    }

    [Fact]
    public void Authorize_LabelPresentWithoutValues_DoesNotMatch()
    {
        var evaluator = AclSamples.Evaluator("acl:\n  - match: {labels: {group: \"*\"}}\n    actions: [pull]\n  - match: {name: \"${labels:group}\"}\n    actions: [pull]\n");
        var labels = new Dictionary<string, IReadOnlyList<string>> { ["group"] = [] };

        Assert.Empty(evaluator.Authorize(Request("foo", "x", labels), ["pull"]).Granted);
    }

    [Fact]
    public void Authorize_TooManyLabelCombinations_DoesNotMatch()
    {
        var evaluator = AclSamples.Evaluator("acl:\n  - match: {name: \"${labels:a}/${labels:b}\"}\n    actions: [pull]\n");
        var many = Enumerable.Range(0, 100).Select(i => $"v{i}").ToArray();
        var labels = new Dictionary<string, IReadOnlyList<string>> { ["a"] = many, ["b"] = many };
        var few = new Dictionary<string, IReadOnlyList<string>> { ["a"] = many, ["b"] = many[..40] };

        Assert.True(100 * 100 > AclPattern.MaxLabelCombinations && 100 * 40 <= AclPattern.MaxLabelCombinations);
        Assert.Empty(evaluator.Authorize(Request("foo", "v99/v39", labels), ["pull"]).Granted);
        Assert.Single(evaluator.Authorize(Request("foo", "v99/v39", few), ["pull"]).Granted);
    }

    [Fact]
    public void AuthorizeScope_WithLabels_PassesThemToTheRules()
    {
        var evaluator = AclSamples.Evaluator("acl:\n  - match: {labels: {group: ci}, name: \"ci/*\"}\n    actions: [push, pull]\n");
        Assert.True(Gateway.Registry.Access.AccessScope.TryParse("repository:ci/app:pull,push", out var scope));

        var member = evaluator.AuthorizeScope("alice", scope, Service, null, new Dictionary<string, IReadOnlyList<string>> { ["group"] = ["ci"] });
        var other = evaluator.AuthorizeScope("alice", scope, Service, null);

        Assert.Equal(["pull", "push"], member.Actions);
        Assert.Empty(other.Actions);
    }

    private static AclRequest Request(string account, string name, Dictionary<string, IReadOnlyList<string>> labels) =>
        new(account, "repository", name, Service, null) { Labels = labels };

    private static Dictionary<string, IReadOnlyList<string>> Labels(string which) => which switch
    {
        "groups" => Groups,
        "projects" => GroupsAndProjects,
        _ => [],
    };
}
