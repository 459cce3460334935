using Gateway.Registry.Access;
using Gateway.Registry.Tokens;
using static Gateway.Registry.Tests.Tokens.TokenTestContext;

namespace Gateway.Registry.Tests.Tokens;

public sealed class TokenAccessTests
{
    [Theory]
    [InlineData("repository:a/b:pull,push", "repository:a/b:pull", true)]
    [InlineData("repository:a/b:pull,push", "repository:a/b:push,pull", true)]
    [InlineData("repository:a/b:pull", "repository:a/b:pull,push", false)]
    [InlineData("repository:a/b:pull", "repository:a/c:pull", false)]
    [InlineData("repository:a/b:*", "repository:a/b:pull,push", true)]
    [InlineData("repository:a/b:*", "repository:a/b:delete", true)]
    [InlineData("registry:catalog:*", "registry:catalog:*", true)]
    [InlineData("registry:catalog:pull", "registry:catalog:*", false)]
    [InlineData("repository:catalog:*", "registry:catalog:*", false)]
    [InlineData("repository(plugin):a/b:pull", "repository:a/b:pull", true)]
    [InlineData("repository:a/b:pull", "repository(plugin):a/b:pull", true)]
    [InlineData("repository:a/b:", "repository:a/b:", true)]
    [InlineData("repository:localhost:5000/a:pull", "repository:localhost:5000/a:pull", true)]
    public void Allows_OneEntry_AsRegistry28(string granted, string required, bool expected)
    {
        var access = TokenAccess.Create([Scope(granted)]);

        Assert.Equal(expected, access.Allows(Scope(required)));
    }

    [Fact]
    public void Allows_ActionsSpreadOverEntriesForSameResource_AddUp()
    {
        var issuedByOthers = TokenAccess.Create([Scope("repository:a:pull")]);
        var merged = TokenAccess.Create([Scope("repository:a:pull"), Scope("repository:a:push")]);

        Assert.False(issuedByOthers.Allows(Scope("repository:a:pull,push")));
        Assert.True(merged.Allows(Scope("repository:a:pull,push")));
        Assert.Single(merged.Entries);
    }

    [Fact]
    public void AllowsAll_CrossRepositoryMount_NeedsBothResources()
    {
        var access = TokenAccess.Create([Scope("repository:a:pull,push")]);
        var mount = new[] { Scope("repository:a:pull,push"), Scope("repository:b:pull") };

        Assert.False(access.AllowsAll(mount));
        Assert.True(TokenAccess.Create([.. mount]).AllowsAll(mount));
        Assert.True(TokenAccess.Empty.AllowsAll([]));
    }

    [Fact]
    public void Create_Nothing_IsEmpty()
    {
        Assert.Same(TokenAccess.Empty, TokenAccess.Create([]));
        Assert.Empty(TokenAccess.Empty.Entries);
        Assert.False(TokenAccess.Empty.Allows(Scope("repository:a:pull")));
    }

    [Fact]
    public void ToScopeString_SkipsEntriesWithoutActions()
    {
        var access = TokenAccess.Create([Scope("repository:a:push,pull"), Scope("repository:b:"), Scope("registry:catalog:*")]);

        Assert.Equal("repository:a:pull,push registry:catalog:*", access.ToScopeString());
    }

    [Fact]
    public void Create_KeepsRequestedResourceOrder()
    {
        var access = TokenAccess.Create([Scope("repository:z:pull"), Scope("repository:a:pull")]);

        Assert.Equal(["z", "a"], access.Entries.Select(e => e.Resource.Name));
        Assert.All(access.Entries, e => Assert.Equal(ResourceTypes.Repository, e.Resource.Type));
    }
}
