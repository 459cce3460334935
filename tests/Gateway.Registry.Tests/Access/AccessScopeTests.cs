using Gateway.Registry.Access;

namespace Gateway.Registry.Tests.Access;

public sealed class AccessScopeTests
{
    [Theory]
    [InlineData("repository:foo/bar:pull,push", "repository", "foo/bar", "pull,push")]
    [InlineData("repository:foo/bar:push,pull", "repository", "foo/bar", "push,pull")]
    [InlineData("repository:foo:pull", "repository", "foo", "pull")]
    [InlineData("repository:foo:delete", "repository", "foo", "delete")]
    [InlineData("repository:foo:*", "repository", "foo", "*")]
    [InlineData("repository:localhost:5000/foo:pull", "repository", "localhost:5000/foo", "pull")]
    [InlineData("repository:registry.example.com/team/app:pull", "repository", "registry.example.com/team/app", "pull")]
    [InlineData("repository:My-Host.Example:443/a/b:pull", "repository", "My-Host.Example:443/a/b", "pull")]
    [InlineData("repository(plugin):x:pull", "repository(plugin)", "x", "pull")]
    [InlineData("registry:catalog:*", "registry", "catalog", "*")]
    [InlineData("registry:other1:pull", "registry", "other1", "pull")]
    [InlineData("custom:a/b:read", "custom", "a/b", "read")]
    [InlineData("repository:foo:pull,pull,push,pull", "repository", "foo", "pull,push")]
    [InlineData("repository:foo:pull,,push,", "repository", "foo", "pull,push")]
    [InlineData("repository:foo:", "repository", "foo", "")]
    [InlineData("repository:foo:,", "repository", "foo", "")]
    public void TryParse_ValidScope_ParsesParts(string text, string type, string name, string actions)
    {
        Assert.True(AccessScope.TryParse(text, out var scope));

        Assert.Equal(type, scope.Resource.Type);
        Assert.Equal(name, scope.Resource.Name);
        Assert.Equal(actions, string.Join(',', scope.Actions));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("repository")]
    [InlineData("repository:")]
    [InlineData("repository:foo")]
    [InlineData("repository::pull")]
    [InlineData(":foo:pull")]
    [InlineData("::")]
    [InlineData("repository:Foo:pull")]
    [InlineData("repository:foo/:pull")]
    [InlineData("repository:/foo:pull")]
    [InlineData("repository:foo//bar:pull")]
    [InlineData("repository:a..b:pull")]
    [InlineData("repository:foo:Pull")]
    [InlineData("repository:foo:pull;push")]
    [InlineData("repository:foo:pu*")]
    [InlineData("repository:foo:**")]
    [InlineData("repository:foo:pull-push")]
    [InlineData("repository:localhost:/foo:pull")]
    [InlineData("repository:localhost:50a0/foo:pull")]
    [InlineData("repository:-host/foo:pull")]
    [InlineData("repository:host-/foo:pull")]
    [InlineData("repository:a..com/foo:pull")]
    [InlineData("repository:localhost:5000/Foo:pull")]
    [InlineData("repository:localhost:5000:pull")]
    [InlineData("repository:a:b:c/d:pull")]
    [InlineData("Repository:foo:pull")]
    [InlineData("repo-sitory:foo:pull")]
    [InlineData("repository(:foo:pull")]
    [InlineData("repository():foo:pull")]
    [InlineData("repository(Plugin):foo:pull")]
    [InlineData("repository(plugin)x:foo:pull")]
    [InlineData("registry:cata/log:*")]
    [InlineData("registry:Catalog:*")]
    [InlineData(" repository:foo:pull")]
    [InlineData("repository:foo:pull ")]
    [InlineData("repository:foo bar:pull")]
    [InlineData("repository:foo:pull,\tpush")]
    [InlineData("repository:foo\n:pull")]
    [InlineData("repository:foo:pull\u0000")]
    [InlineData("repository:fo\u00f6:pull")]
    [InlineData("repository:foo/bar:pull repository:baz:pull")]
    public void TryParse_Malformed_False(string? text)
    {
        Assert.False(AccessScope.TryParse(text, out var scope));
        Assert.Null(scope);
    }

    [Theory]
    [InlineData(1024, true)]
    [InlineData(1025, false)]
    public void TryParse_LongScope_LimitIs1024(int length, bool expected)
    {
        // A valid name of at most 255 characters; the rest of the length goes to actions.
        var prefix = "repository:" + RepositoryNameTests.LongName(255) + ":pull,";
        var text = prefix + new string('x', length - prefix.Length);

        Assert.Equal(expected, AccessScope.TryParse(text, out _));
    }

    [Fact]
    public void TryParse_NameOver255_False()
    {
        Assert.True(AccessScope.TryParse("repository:" + RepositoryNameTests.LongName(255) + ":pull", out _));
        Assert.False(AccessScope.TryParse("repository:" + RepositoryNameTests.LongName(256) + ":pull", out _));
        Assert.False(AccessScope.TryParse("repository:localhost:5000/" + RepositoryNameTests.LongName(241) + ":pull", out _));
    }

    [Theory]
    [InlineData("repository:foo/bar:pull,push")]
    [InlineData("repository:localhost:5000/foo:pull")]
    [InlineData("repository(plugin):x:pull")]
    [InlineData("registry:catalog:*")]
    [InlineData("repository:foo:")]
    [InlineData("repository:a/b:delete,push,pull")]
    public void ToString_ParsedScope_RoundTrips(string text)
    {
        Assert.True(AccessScope.TryParse(text, out var scope));

        Assert.Equal(text, scope.ToString());
        Assert.True(AccessScope.TryParse(scope.ToString(), out var reparsed));
        Assert.Equal(scope, reparsed);
    }

    [Fact]
    public void ToString_DuplicateActions_FormatsEachOnce()
    {
        Assert.True(AccessScope.TryParse("repository:foo:push,pull,push", out var scope));

        Assert.Equal("repository:foo:push,pull", scope.ToString());
    }

    [Fact]
    public void ToString_ConstructedScope_FormatsTypeNameActions()
    {
        var scope = new AccessScope(RegistryResource.Repository("team/app"), ["pull", "push", "pull"]);

        Assert.Equal("repository:team/app:pull,push", scope.ToString());
        Assert.Equal(new[] { "pull", "push" }, scope.Actions);
    }

    [Fact]
    public void Equals_SameActionsInOtherOrder_Equal()
    {
        Assert.True(AccessScope.TryParse("repository:foo:pull,push", out var a));
        Assert.True(AccessScope.TryParse("repository:foo:push,pull", out var b));

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Single(new HashSet<AccessScope> { a, b });
    }

    [Fact]
    public void Equals_ConstructedAndParsed_Equal()
    {
        var constructed = new AccessScope(new RegistryResource("repository", "foo"), new List<string> { "push", "pull", "push" });
        Assert.True(AccessScope.TryParse("repository:foo:pull,push", out var parsed));

        Assert.Equal(parsed, constructed);
        Assert.Equal(parsed.GetHashCode(), constructed.GetHashCode());
    }

    [Theory]
    [InlineData("repository:foo:pull", "repository:foo:pull,push")]
    [InlineData("repository:foo:pull", "repository:bar:pull")]
    [InlineData("repository:foo:pull", "repository(plugin):foo:pull")]
    [InlineData("repository:foo:pull", "repository:foo:")]
    [InlineData("repository:foo:*", "repository:foo:pull")]
    public void Equals_DifferentResourceOrActions_NotEqual(string left, string right)
    {
        Assert.True(AccessScope.TryParse(left, out var a));
        Assert.True(AccessScope.TryParse(right, out var b));

        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Actions_WithExpression_Deduplicated()
    {
        Assert.True(AccessScope.TryParse("repository:foo:pull", out var scope));

        var changed = scope with { Actions = ["delete", "delete"] };

        Assert.Equal("repository:foo:delete", changed.ToString());
    }

    [Theory]
    [InlineData("repository:a:pull", new[] { "repository:a:pull" })]
    [InlineData("repository:a:pull,push repository:b:pull", new[] { "repository:a:pull,push", "repository:b:pull" })]
    [InlineData("repository:localhost:5000/a:pull registry:catalog:*", new[] { "repository:localhost:5000/a:pull", "registry:catalog:*" })]
    [InlineData("", new string[0])]
    [InlineData(null, new string[0])]
    public void TryParseList_SpaceSeparated_ParsesEach(string? text, string[] expected)
    {
        Assert.True(AccessScope.TryParseList(text, maxScopes: 4, out var scopes));

        Assert.Equal(expected, scopes.Select(s => s.ToString()));
    }

    [Theory]
    [InlineData("repository:a:pull  repository:b:pull")]
    [InlineData(" repository:a:pull")]
    [InlineData("repository:a:pull ")]
    [InlineData(" ")]
    [InlineData("repository:a:pull\trepository:b:pull")]
    [InlineData("repository:a:pull repository:B:pull")]
    [InlineData("repository:a:pull,repository:b:pull")]
    public void TryParseList_AnyPartInvalid_False(string text)
    {
        Assert.False(AccessScope.TryParseList(text, maxScopes: 4, out var scopes));
        Assert.Empty(scopes);
    }

    [Theory]
    [InlineData(3, true)]
    [InlineData(2, false)]
    public void TryParseList_CountAgainstMax_FalseWhenOver(int maxScopes, bool expected)
    {
        const string Text = "repository:a:pull repository:b:pull repository:c:pull";

        Assert.Equal(expected, AccessScope.TryParseList(Text, maxScopes, out var scopes));
        Assert.Equal(expected ? 3 : 0, scopes.Count);
    }

    [Fact]
    public void TryParseList_VeryLongText_False()
    {
        var text = string.Join(' ', Enumerable.Repeat("repository:" + RepositoryNameTests.LongName(255) + ":pull", 100));

        Assert.False(AccessScope.TryParseList(text, maxScopes: 10, out _));
    }
}
