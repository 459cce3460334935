using Gateway.Registry.Access;

namespace Gateway.Registry.Tests.Access;

public sealed class AccessRequestMapperTests
{
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("GET", "/v2/", "")]
    [InlineData("HEAD", "/v2/", "")]
    [InlineData("GET", "/v2/_catalog", "registry:catalog:*")]
    [InlineData("GET", "/v2/team/app/tags/list", "repository:team/app:pull")]
    [InlineData("GET", "/v2/team/app/manifests/latest", "repository:team/app:pull")]
    [InlineData("HEAD", "/v2/team/app/manifests/latest", "repository:team/app:pull")]
    [InlineData("PUT", "/v2/team/app/manifests/latest", "repository:team/app:pull,push")]
    [InlineData("DELETE", "/v2/team/app/manifests/" + Digest, "repository:team/app:delete")]
    [InlineData("GET", "/v2/team/app/blobs/" + Digest, "repository:team/app:pull")]
    [InlineData("HEAD", "/v2/team/app/blobs/" + Digest, "repository:team/app:pull")]
    [InlineData("DELETE", "/v2/team/app/blobs/" + Digest, "repository:team/app:delete")]
    [InlineData("POST", "/v2/team/app/blobs/uploads/", "repository:team/app:pull,push")]
    [InlineData("POST", "/v2/team/app/blobs/uploads", "repository:team/app:pull,push")]
    [InlineData("GET", "/v2/team/app/blobs/uploads/u-1", "repository:team/app:pull")]
    [InlineData("PATCH", "/v2/team/app/blobs/uploads/u-1", "repository:team/app:pull,push")]
    [InlineData("PUT", "/v2/team/app/blobs/uploads/u-1", "repository:team/app:pull,push")]
    [InlineData("DELETE", "/v2/team/app/blobs/uploads/u-1", "repository:team/app:delete")]
    [InlineData("GET", "/v2/team/app/referrers/" + Digest, "repository:team/app:pull")]
    [InlineData("GET", "/v2/a/manifests/b/manifests/latest", "repository:a/manifests/b:pull")]
    public void TryMap_Request_NeedsRegistryScopes(string method, string path, string expected)
    {
        var route = Parse(path);

        Assert.True(AccessRequestMapper.TryMap(method, route, mountFrom: null, out var scopes));

        Assert.Equal(expected, Format(scopes));
    }

    [Theory]
    [InlineData("POST", "/v2/team/app/blobs/uploads/", "library/base", "repository:team/app:pull,push repository:library/base:pull")]
    [InlineData("POST", "/v2/team/app/blobs/uploads/", "team/app", "repository:team/app:pull,push")]
    [InlineData("DELETE", "/v2/team/app/blobs/uploads/u-1", "team/app", "repository:team/app:delete,pull")]
    [InlineData("GET", "/v2/team/app/tags/list", "other", "repository:team/app:pull repository:other:pull")]
    [InlineData("POST", "/v2/team/app/blobs/uploads/", "", "repository:team/app:pull,push")]
    [InlineData("GET", "/v2/_catalog", "other", "registry:catalog:*")]
    [InlineData("GET", "/v2/", "other", "")]
    public void TryMap_MountFrom_AddsPullOnSource(string method, string path, string mountFrom, string expected)
    {
        var route = Parse(path);

        Assert.True(AccessRequestMapper.TryMap(method, route, mountFrom, out var scopes));

        Assert.Equal(expected, Format(scopes));
    }

    [Theory]
    [InlineData("Other/Repo")]
    [InlineData("localhost:5000/base")]
    [InlineData("a..b")]
    [InlineData("../a")]
    [InlineData(" a")]
    public void TryMap_InvalidMountSource_FalseAndRejectedByCheck(string mountFrom)
    {
        var route = Parse("/v2/team/app/blobs/uploads/");

        Assert.False(AccessRequestMapper.IsValidMountSource(mountFrom));
        Assert.False(AccessRequestMapper.TryMap("POST", route, mountFrom, out var scopes));
        Assert.Empty(scopes);
    }

    [Theory]
    [InlineData("library/base", true)]
    [InlineData("a", true)]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("A", false)]
    public void IsValidMountSource_Name_MatchesNameGrammar(string? mountFrom, bool expected)
    {
        Assert.Equal(expected, AccessRequestMapper.IsValidMountSource(mountFrom));
    }

    [Theory]
    [InlineData("OPTIONS", "/v2/team/app/manifests/latest")]
    [InlineData("TRACE", "/v2/team/app/manifests/latest")]
    [InlineData("CONNECT", "/v2/team/app/manifests/latest")]
    [InlineData("PROPFIND", "/v2/team/app/manifests/latest")]
    [InlineData("get", "/v2/team/app/manifests/latest")]
    [InlineData("Delete", "/v2/team/app/blobs/uploads/u-1")]
    [InlineData("", "/v2/team/app/tags/list")]
    [InlineData("OPTIONS", "/v2/")]
    [InlineData("OPTIONS", "/v2/_catalog")]
    public void TryMap_UnsupportedMethod_False(string method, string path)
    {
        var route = Parse(path);

        Assert.False(AccessRequestMapper.TryMap(method, route, mountFrom: null, out var scopes));
        Assert.Empty(scopes);
    }

    [Fact]
    public void TryMap_DefaultRoute_FalseNotBase()
    {
        Assert.False(AccessRequestMapper.TryMap("GET", default, mountFrom: null, out var scopes));
        Assert.Empty(scopes);
    }

    [Theory]
    [InlineData(RegistryRouteKind.Manifest, null)]
    [InlineData(RegistryRouteKind.Blob, "Bad/Name")]
    [InlineData((RegistryRouteKind)99, "a")]
    public void TryMap_HandBuiltRouteWithoutValidName_False(RegistryRouteKind kind, string? repository)
    {
        var route = new RegistryRoute(kind, repository, "latest");

        Assert.False(AccessRequestMapper.TryMap("GET", route, mountFrom: null, out _));
    }

    [Fact]
    public void TryMap_Catalog_SharedInstanceEachTime()
    {
        var route = Parse("/v2/_catalog");

        AccessRequestMapper.TryMap("GET", route, null, out var first);
        AccessRequestMapper.TryMap("GET", route, null, out var second);

        Assert.Same(first, second);
        Assert.False(first is AccessScope[], "a shared list must not be a mutable array");
    }

    private static RegistryRoute Parse(string path)
    {
        Assert.Equal(RouteParseStatus.Ok, RegistryRouteParser.TryParse(path, out var route));
        return route;
    }

    private static string Format(IReadOnlyList<AccessScope> scopes) => string.Join(' ', scopes);
}
