using Gateway.Registry.Access;
using Gateway.Registry.Acl;

namespace Gateway.Registry.Tests.Acl;

public sealed class ScopeCeilingTests
{
    [Theory]
    [InlineData("repository:ci/app:pull,push", "repository:ci/app:pull,push")]
    [InlineData("repository:ci/app:pull,push,delete", "repository:ci/app:pull,push")]
    [InlineData("repository:ci/a/b:pull", "repository:ci/a/b:")]
    [InlineData("repository:other/app:pull", "repository:other/app:")]
    [InlineData("repository:base/alpine:pull,push", "repository:base/alpine:pull")]
    [InlineData("repository:localhost:5000/ci/app:pull", "repository:localhost:5000/ci/app:")]
    [InlineData("registry:catalog:*", "registry:catalog:*")]
    [InlineData("repository(plugin):ci/app:pull", "repository(plugin):ci/app:pull")]
    public void Limit_RequestedScope_KeepsWhatAnEntryAllows(string requested, string expected)
    {
        Assert.True(ScopeCeiling.TryParse(["repository:ci/*:pull,push", "repository:base/*:pull", "registry:catalog:*"], out var ceiling, out var error), error);
        Assert.True(AccessScope.TryParse(requested, out var scope));

        var limited = ceiling.Limit(scope);

        Assert.Equal(expected, limited.ToString());
    }

    [Fact]
    public void Limit_StarAction_AllowsEveryRequestedAction()
    {
        Assert.True(ScopeCeiling.TryParse(["repository:team/**:*"], out _, out _));
        Assert.True(ScopeCeiling.TryParse(["repository:team/*:*"], out var ceiling, out _));
        Assert.True(AccessScope.TryParse("repository:team/x:pull,push,delete", out var scope));

        Assert.Equal(3, ceiling.Limit(scope).Actions.Count);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("repository:ci/*")]
    [InlineData("repository::pull")]
    [InlineData("repository:ci/*:")]
    [InlineData("repository:ci/*:pull,fly")]
    [InlineData("image:ci/*:pull")]
    [InlineData("repository:ci/[:pull")]
    [InlineData("repository:ci/* x:pull")]
    [InlineData("repository:ci/app:pull|repository:bad")]
    public void TryParse_Invalid_FalseWithMessage(string? entries)
    {
        Assert.False(ScopeCeiling.TryParse(entries?.Split('|'), out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void TryParse_TooManyEntries_False()
    {
        var entries = Enumerable.Range(0, ScopeCeiling.MaxEntries + 1).Select(i => $"repository:r{i}:pull").ToArray();

        Assert.False(ScopeCeiling.TryParse(entries, out _, out var error));
        Assert.Contains(ScopeCeiling.MaxEntries.ToString(System.Globalization.CultureInfo.InvariantCulture), error);
    }

    [Fact]
    public void From_SkipsEntriesThatDoNotParse()
    {
        var ceiling = ScopeCeiling.From(["nonsense", "repository:ci/*:pull"]);
        Assert.True(AccessScope.TryParse("repository:ci/app:pull,push", out var scope));

        Assert.Equal(["pull"], ceiling.Limit(scope).Actions);
    }
}
