using System.Text.Json;
using Gateway.Edge.Access.Identify.Federation;

namespace Gateway.Edge.Tests.Access.Identify.Federation;

public sealed class AccountTemplateTests
{
    [Theory]
    [InlineData("ci/${claims:repository}", """{"repository":"Acme/app"}""", "ci/Acme/app")]
    [InlineData("k8s/${claims:namespace}/${claims:name}", """{"namespace":"build","name":"runner"}""", "k8s/build/runner")]
    [InlineData("gl/${claims:project_path}", """{"project_path":"group/sub/proj"}""", "gl/group/sub/proj")]
    public void Expand_StringClaims_FillsThePlaceholders(string template, string claims, string expected)
    {
        var parsed = AccountTemplate.TryParse(template, out _)!;

        Assert.Equal(expected, parsed.Expand(JsonDocument.Parse(claims).RootElement));
    }

    [Theory]
    [InlineData("""{}""")]
    [InlineData("""{"repository":42}""")]
    [InlineData("""{"repository":["a"]}""")]
    [InlineData("""{"repository":"a\nb"}""")]
    [InlineData("""{"repository":"/etc"}""")]
    [InlineData("""{"repository":"a//b"}""")]
    [InlineData("""{"repository":"a/./b"}""")]
    public void Expand_MissingOrUnsafeClaim_Null(string claims)
    {
        var parsed = AccountTemplate.TryParse("ci/${claims:repository}", out _)!;

        Assert.Null(parsed.Expand(JsonDocument.Parse(claims).RootElement));
    }

    [Theory]
    [InlineData("ci/fixed")]
    [InlineData("ci/${repository}")]
    [InlineData("ci/${claims:repository")]
    [InlineData("ci/${claims:}")]
    [InlineData("ci:${claims:repository}")]
    public void TryParse_Malformed_NullWithAReason(string template)
    {
        Assert.Null(AccountTemplate.TryParse(template, out var error));
        Assert.NotNull(error);
    }
}
