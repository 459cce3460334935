using Gateway.Registry.Acl;

namespace Gateway.Registry.Tests.Acl;

public sealed class AclFileTests
{
    private const string Path = "/etc/registry-gateway/acl.yml";

    [Fact]
    public void Parse_DockerAuthConfig_AllRulesInOrderWithLinesAndComments()
    {
        var result = AclFile.Parse(Path, AclSamples.DockerAuthConfig);

        Assert.True(result.IsValid, string.Join("\n", result.Problems));
        Assert.Equal(10, result.Rules.Count);
        Assert.Equal(Enumerable.Range(0, 10), result.Rules.Select(r => r.Index));
        var first = result.Rules[0];
        Assert.Equal(10, first.Line);
        Assert.Equal("10.1.0.0/16", first.Ip);
        Assert.Equal(["*"], first.Actions);
        Assert.Equal("Allow everything from the build network", first.Comment);
        var blocked = result.Rules[3];
        Assert.Equal("blocked", blocked.Account);
        Assert.Empty(blocked.Actions);
        var namespaced = result.Rules[5];
        Assert.Equal("/.+/", namespaced.Account);
        Assert.Equal("${account}/*", namespaced.Name);
        Assert.Null(namespaced.Type);
        Assert.All(result.Rules, r => Assert.True(r.CanMatch));
        Assert.Equal("ACL rule 4 (line 19: Blocked: nothing at all)", blocked.ToString());
    }

    [Fact]
    public void Parse_DockerAuthConfig_WarnsThatOtherSettingsAreIgnored()
    {
        var warning = Assert.Single(AclFile.Parse(Path, AclSamples.DockerAuthConfig).Warnings);

        Assert.Equal($"{Path}:1: only 'acl' is read; ignoring server, token, users (the gateway takes its other settings from its own configuration).", warning.Message);
    }

    [Fact]
    public void Parse_EmptyList_ValidWithNoRules()
    {
        var result = AclFile.Parse(Path, "acl: []\n");

        Assert.True(result.IsValid);
        Assert.Empty(result.Rules);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void Parse_BlockStyleRules_Parsed()
    {
        const string text = """
            acl:
              - match:
                  account: alice
                  name: "alice/*"
                actions:
                  - pull
                  - push
                comment: block style
            """;

        var rule = Assert.Single(AclFile.Parse(Path, text).Rules!);

        Assert.Equal("alice", rule.Account);
        Assert.Equal("alice/*", rule.Name);
        Assert.Equal(["pull", "push"], rule.Actions);
        Assert.Equal(2, rule.Line);
    }

    [Theory]
    [InlineData("acl:\n  - match: {account: alice, team: infra}\n    actions: [pull]\n", 2, "unknown match key 'team'")]
    [InlineData("acl:\n  - match: {account: alice}\n    actions: [pull]\n    action: [push]\n", 4, "unknown rule key 'action'")]
    [InlineData("acl:\n  - match: {account: alice}\n", 2, "has no 'actions:'")]
    [InlineData("acl:\n  - match: {account: alice}\n    actions: pull\n", 3, "'actions:' must be a list")]
    [InlineData("acl:\n  - match: {account: alice}\n    actions: [read-write]\n", 3, "'read-write' is not an action")]
    [InlineData("acl:\n  - actions: [pull]\n", 2, "has no 'match:'")]
    [InlineData("acl:\n  - match: {account: [a, b]}\n    actions: [pull]\n", 2, "'account' must be a single pattern")]
    [InlineData("acl:\n  - match: {account: \"/foo?*/\"}\n    actions: [pull]\n", 2, "regular expression /foo?*/")]
    [InlineData("acl:\n  - match: {name: \"/(?=x)y/\"}\n    actions: [pull]\n", 2, "RE2")]
    [InlineData("acl:\n  - match: {name: \"/^(a)\\\\1$/\"}\n    actions: [pull]\n", 2, "RE2")]
    [InlineData("acl:\n  - match: {name: \"/[[:alpha:]]+/\"}\n    actions: [pull]\n", 2, "POSIX classes")]
    [InlineData("acl:\n  - match: {name: \"team/[\"}\n    actions: [pull]\n", 2, "not a valid glob")]
    [InlineData("acl:\n  - match: {ip: \"192.168.0.1/100\"}\n    actions: [pull]\n", 2, "not an IP address or CIDR network")]
    [InlineData("acl:\n  - match: {ip: \"192.168.0.*\"}\n    actions: [pull]\n", 2, "not an IP address or CIDR network")]
    [InlineData("acl:\n  - match: {ip: \"2001:db8::/222\"}\n    actions: [pull]\n", 2, "not an IP address or CIDR network")]
    [InlineData("acl:\n  - match: {ip: \"foo\"}\n    actions: [pull]\n", 2, "not an IP address or CIDR network")]
    [InlineData("acl:\n  - match: {ip: \"010.0.0.1\"}\n    actions: [pull]\n", 2, "not an IP address or CIDR network")]
    [InlineData("acl:\n  - match: {account: alice\n    actions: [pull]\n", 2, "not valid YAML")]
    [InlineData("acl:\n  - match: {}\n   actions: [pull]\n", 3, "not valid YAML")]
    [InlineData("acl:\n  - match: {name: \"a}\n    actions: [pull]\n", 2, "not valid YAML")]
    [InlineData("acl:\n  - match: {account: alice, account: bob}\n    actions: [pull]\n", 2, "not valid YAML")]
    [InlineData("acl: pull\n", 1, "must be a list of rules")]
    [InlineData("acl:\n  - pull\n", 2, "a rule must be a mapping")]
    [InlineData("users: {}\n", 1, "no 'acl:' list")]
    [InlineData("- match: {}\n  actions: [pull]\n", 1, "expected a mapping with an 'acl:' list")]
    [InlineData("acl: []\n---\nacl: []\n", 3, "more than one YAML document")]
    public void Parse_InvalidFile_ProblemWithFileAndLine(string text, int line, string message)
    {
        var result = AclFile.Parse(Path, text);

        Assert.False(result.IsValid);
        Assert.Null(result.Rules);
        var problem = result.Problems[0];
        Assert.Equal(line, problem.Line);
        Assert.StartsWith($"{Path}:{line}: ", problem.Message, StringComparison.Ordinal);
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EmptyText_Problem()
    {
        var problem = Assert.Single(AclFile.Parse(Path, string.Empty).Problems);

        Assert.Equal($"{Path}: the file is empty; expected an 'acl:' list (write 'acl: []' to deny everything).", problem.Message);
    }

    [Fact]
    public void Parse_SeveralBadRules_EveryProblemReported()
    {
        const string text = """
            acl:
              - match: {acount: alice}
                actions: [pull]
              - match: {account: bob}
                actions: [pull]
              - match: {ip: "300.0.0.1"}
                actions: [pull]
            """;

        var result = AclFile.Parse(Path, text);

        Assert.Equal([2, 6], result.Problems.Select(p => p.Line));
    }

    [Fact]
    public void Parse_LabelsRule_ReadsConditionsWithoutWarnings()
    {
        const string text = """
            acl:
              - match: {labels: {"group": "admins", project: "/^api-/"}}
                actions: ["*"]
              - match: {name: "${labels:project}/*"}
                actions: [push, pull]
            """;

        var result = AclFile.Parse(Path, text);

        Assert.True(result.IsValid, string.Join("\n", result.Problems));
        Assert.Empty(result.Warnings);
        Assert.All(result.Rules, r => Assert.True(r.CanMatch));
        Assert.Equal(new Dictionary<string, string> { ["group"] = "admins", ["project"] = "/^api-/" }, result.Rules[0].Labels);
        Assert.Empty(result.Rules[1].Labels);
    }

    [Theory]
    [InlineData("{labels: [admins]}", "must be a mapping")]
    [InlineData("{labels: {group: }}", "must have one pattern")]
    [InlineData("{labels: {group: [a, b]}}", "must have one pattern")]
    [InlineData("{labels: {group: \"/(/\"}}", "labels: group: regular expression")]
    [InlineData("{labels: {group: \"[a\"}}", "not a valid glob")]
    public void Parse_MalformedLabels_ProblemNamesTheLabel(string match, string expected)
    {
        var result = AclFile.Parse(Path, $"acl:\n  - match: {match}\n    actions: [pull]\n");

        Assert.False(result.IsValid);
        Assert.Contains(result.Problems, p => p.Message.Contains(expected, StringComparison.Ordinal) && p.Line == 2);
    }

    [Fact]
    public void Parse_LabelsPlaceholderInsideLabelCondition_WarnsItIsLiteral()
    {
        var result = AclFile.Parse(Path, "acl:\n  - match: {labels: {team: \"${labels:group}\"}}\n    actions: [pull]\n");

        Assert.True(result.IsValid);
        Assert.Contains(result.Warnings, w => w.Message.Contains("literal text", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_NullMatchValue_WarnsItMatchesEverything()
    {
        var result = AclFile.Parse(Path, "acl:\n  - match: {account: }\n    actions: [pull]\n");

        Assert.True(result.IsValid);
        Assert.Null(Assert.Single(result.Rules).Account);
        Assert.Contains("matches everything", Assert.Single(result.Warnings).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_QuotedEmptyAccount_IsEmptyPatternNotAbsent()
    {
        var result = AclFile.Parse(Path, "acl:\n  - match: {account: \"\"}\n    actions: [pull]\n");

        Assert.Equal(string.Empty, Assert.Single(result.Rules!).Account);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void Parse_StarAmongOtherActions_Warns()
    {
        var result = AclFile.Parse(Path, "acl:\n  - match: {}\n    actions: [pull, \"*\"]\n");

        Assert.True(result.IsValid);
        Assert.Contains("only when it is alone", Assert.Single(result.Warnings).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_CaptureGroupWithoutRegexSource_WarnsRuleNeverMatches()
    {
        var result = AclFile.Parse(Path, "acl:\n  - match: {account: alice, name: \"${account:1}/*\"}\n    actions: [pull]\n");

        Assert.True(result.IsValid);
        Assert.False(Assert.Single(result.Rules).CanMatch);
        Assert.Contains("${account:1}", Assert.Single(result.Warnings).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_CaptureGroupBeyondRegexGroups_WarnsRuleNeverMatches()
    {
        var result = AclFile.Parse(Path, "acl:\n  - match: {account: \"/^(.+)@x$/\", name: \"${account:3}/*\"}\n    actions: [pull]\n");

        Assert.False(Assert.Single(result.Rules!).CanMatch);
        Assert.Contains("fewer groups", Assert.Single(result.Warnings).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownPlaceholder_WarnsMatchedLiterally()
    {
        var result = AclFile.Parse(Path, "acl:\n  - match: {name: \"${team}/*\"}\n    actions: [pull]\n");

        Assert.True(result.IsValid);
        Assert.Contains("${team} is not a placeholder", Assert.Single(result.Warnings).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownAction_WarnsGrantsNothing()
    {
        var result = AclFile.Parse(Path, "acl:\n  - match: {}\n    actions: [pull, read]\n");

        Assert.True(result.IsValid);
        Assert.Contains("'read'", Assert.Single(result.Warnings).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NullAclList_WarnsEverythingDenied()
    {
        var result = AclFile.Parse(Path, "acl:\n");

        Assert.True(result.IsValid);
        Assert.Empty(result.Rules);
        Assert.Contains("every request is denied", Assert.Single(result.Warnings).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DeeplyNested_ProblemNotCrash()
    {
        var text = "acl:\n  - match: {}\n    actions: " + new string('[', 100_000) + new string(']', 100_000) + "\n";

        var result = AclFile.Parse(Path, text);

        Assert.False(result.IsValid);
        Assert.Contains("nested deeper than", result.Problems[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TooLarge_Problem()
    {
        var result = AclFile.Parse(Path, "acl: []\n" + new string('#', AclFile.MaxLength));

        Assert.False(result.IsValid);
    }
}
