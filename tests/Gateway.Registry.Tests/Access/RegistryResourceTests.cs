using Gateway.Registry.Access;

namespace Gateway.Registry.Tests.Access;

public sealed class RegistryResourceTests
{
    [Theory]
    [InlineData("repository:x:pull", "repository")]
    [InlineData("repository(plugin):x:pull", "repository")]
    [InlineData("registry:catalog:*", "registry")]
    [InlineData("custom(abc1):x:pull", "custom")]
    public void BaseType_ParsedScope_TypeWithoutClass(string text, string baseType)
    {
        Assert.True(AccessScope.TryParse(text, out var scope));

        Assert.Equal(baseType, scope.Resource.BaseType);
    }

    [Fact]
    public void Catalog_Parsed_EqualsCatalogResource()
    {
        Assert.True(AccessScope.TryParse("registry:catalog:*", out var scope));

        Assert.Equal(RegistryResource.Catalog, scope.Resource);
        Assert.Equal("registry:catalog", RegistryResource.Catalog.ToString());
    }

    [Fact]
    public void Repository_Name_EqualsParsedRepositoryResource()
    {
        Assert.True(AccessScope.TryParse("repository:team/app:pull", out var scope));

        Assert.Equal(RegistryResource.Repository("team/app"), scope.Resource);
        Assert.NotEqual(RegistryResource.Repository("team/app"), new RegistryResource("repository(plugin)", "team/app"));
    }
}
