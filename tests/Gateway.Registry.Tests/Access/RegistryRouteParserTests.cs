using Gateway.Registry.Access;

namespace Gateway.Registry.Tests.Access;

public sealed class RegistryRouteParserTests
{
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("/v2/", RegistryRouteKind.Base, null, null)]
    [InlineData("/v2", RegistryRouteKind.Base, null, null)]
    [InlineData("/v2/_catalog", RegistryRouteKind.Catalog, null, null)]
    [InlineData("/v2/library/alpine/tags/list", RegistryRouteKind.TagsList, "library/alpine", null)]
    [InlineData("/v2/a/manifests/latest", RegistryRouteKind.Manifest, "a", "latest")]
    [InlineData("/v2/a/b/manifests/v1.2_RC-3", RegistryRouteKind.Manifest, "a/b", "v1.2_RC-3")]
    [InlineData("/v2/a/manifests/" + Digest, RegistryRouteKind.Manifest, "a", Digest)]
    [InlineData("/v2/a/blobs/" + Digest, RegistryRouteKind.Blob, "a", Digest)]
    [InlineData("/v2/a/blobs/uploads/", RegistryRouteKind.BlobUploadStart, "a", null)]
    [InlineData("/v2/a/blobs/uploads", RegistryRouteKind.BlobUploadStart, "a", null)]
    [InlineData("/v2/a/blobs/uploads/2f6ec1a4-5b2d-4a4e-9d63-0c8e0d5a7b11", RegistryRouteKind.BlobUpload, "a", "2f6ec1a4-5b2d-4a4e-9d63-0c8e0d5a7b11")]
    [InlineData("/v2/a/blobs/uploads/Ab_c.d=", RegistryRouteKind.BlobUpload, "a", "Ab_c.d=")]
    [InlineData("/v2/a/blobs/uploads/uploads", RegistryRouteKind.BlobUpload, "a", "uploads")]
    [InlineData("/v2/a/referrers/" + Digest, RegistryRouteKind.Referrers, "a", Digest)]
    public void TryParse_RegistryRoute_Recognised(string path, RegistryRouteKind kind, string? repository, string? reference)
    {
        var status = RegistryRouteParser.TryParse(path, out var route);

        Assert.Equal(RouteParseStatus.Ok, status);
        Assert.Equal(new RegistryRoute(kind, repository, reference), route);
    }

    [Theory]
    [InlineData("/v2/a/manifests/b/manifests/latest", RegistryRouteKind.Manifest, "a/manifests/b", "latest")]
    [InlineData("/v2/x/manifests/tags/list", RegistryRouteKind.TagsList, "x/manifests", null)]
    [InlineData("/v2/x/tags/list/manifests/latest", RegistryRouteKind.Manifest, "x/tags/list", "latest")]
    [InlineData("/v2/a/blobs/uploads/blobs/" + Digest, RegistryRouteKind.Blob, "a/blobs/uploads", Digest)]
    [InlineData("/v2/a/blobs/blobs/uploads", RegistryRouteKind.BlobUploadStart, "a/blobs", null)]
    [InlineData("/v2/a/blobs/uploads/x/blobs/uploads/", RegistryRouteKind.BlobUploadStart, "a/blobs/uploads/x", null)]
    [InlineData("/v2/a/blobs/uploads/x/blobs/uploads/id", RegistryRouteKind.BlobUpload, "a/blobs/uploads/x", "id")]
    public void TryParse_KeywordInsideName_NameIsGreedy(string path, RegistryRouteKind kind, string? repository, string? reference)
    {
        var status = RegistryRouteParser.TryParse(path, out var route);

        Assert.Equal(RouteParseStatus.Ok, status);
        Assert.Equal(new RegistryRoute(kind, repository, reference), route);
    }

    [Theory]
    [InlineData("/v2/a/%2F/manifests/x")]
    [InlineData("/v2/a/manifests/lat%65st")]
    [InlineData("/v2/%61/tags/list")]
    [InlineData("/v2/a/../b/manifests/x")]
    [InlineData("/v2/a/./manifests/x")]
    [InlineData("/v2/./a/manifests/x")]
    [InlineData("/v2/a/manifests/..")]
    [InlineData("/v2/a/blobs/uploads/.")]
    [InlineData("/v2/..")]
    [InlineData("/v2//a/manifests/x")]
    [InlineData("/v2/a//manifests/x")]
    [InlineData("/v2/a/manifests//x")]
    [InlineData("/v2//")]
    [InlineData("/v2/a\\b/manifests/x")]
    [InlineData("/v2/a/manifests/x\\")]
    [InlineData("/v2/a/manifests/x\u0000")]
    [InlineData("/v2/a/manifests/x\r\n")]
    [InlineData("/v2/a/manifests/x\u007f")]
    [InlineData("/v2/a b/manifests/x")]
    [InlineData("/v2/a/manifests/\u00e9")]
    public void TryParse_PathTrick_PathInvalid(string path)
    {
        var status = RegistryRouteParser.TryParse(path, out var route);

        Assert.Equal(RouteParseStatus.PathInvalid, status);
        Assert.Equal(default, route);
    }

    [Fact]
    public void TryParse_PathOver2048Chars_PathInvalid()
    {
        var path = "/v2/a/manifests/" + new string('t', 2049 - "/v2/a/manifests/".Length);

        Assert.Equal(RouteParseStatus.PathInvalid, RegistryRouteParser.TryParse(path, out _));
    }

    [Theory]
    [InlineData("/v2/A/manifests/latest")]
    [InlineData("/v2/a..b/manifests/latest")]
    [InlineData("/v2/-a/blobs/uploads/")]
    [InlineData("/v2/a-/tags/list")]
    [InlineData("/v2/_catalog/manifests/latest")]
    [InlineData("/v2/localhost:5000/a/manifests/latest")]
    [InlineData("/v2/manifests/latest")]
    [InlineData("/v2/blobs/uploads/")]
    [InlineData("/v2/a/b;c/manifests/latest")]
    public void TryParse_BadName_NameInvalid(string path)
    {
        var status = RegistryRouteParser.TryParse(path, out var route);

        Assert.Equal(RouteParseStatus.NameInvalid, status);
        Assert.Equal(default, route);
    }

    [Theory]
    [InlineData(255, RouteParseStatus.Ok)]
    [InlineData(256, RouteParseStatus.NameInvalid)]
    public void TryParse_LongName_LimitIs255(int length, RouteParseStatus expected)
    {
        var name = RepositoryNameTests.LongName(length);

        var status = RegistryRouteParser.TryParse("/v2/" + name + "/tags/list", out var route);

        Assert.Equal(expected, status);
        Assert.Equal(expected == RouteParseStatus.Ok ? name : null, route.Repository);
    }

    [Theory]
    [InlineData("/v2/a/manifests/")]
    [InlineData("/v2/a/manifests/.tag")]
    [InlineData("/v2/a/manifests/sha256:abc")]
    [InlineData("/v2/a/manifests/a:b")]
    public void TryParse_BadManifestReference_ReferenceInvalid(string path)
    {
        Assert.Equal(RouteParseStatus.ReferenceInvalid, RegistryRouteParser.TryParse(path, out _));
    }

    [Fact]
    public void TryParse_TagOf129Chars_ReferenceInvalid()
    {
        var path = "/v2/a/manifests/" + new string('t', 129);

        Assert.Equal(RouteParseStatus.ReferenceInvalid, RegistryRouteParser.TryParse(path, out _));
    }

    [Theory]
    [InlineData("/v2/a/blobs/latest")]
    [InlineData("/v2/a/blobs/")]
    [InlineData("/v2/a/blobs/sha256:0123")]
    [InlineData("/v2/a/referrers/latest")]
    [InlineData("/v2/a/referrers/")]
    public void TryParse_BadDigest_DigestInvalid(string path)
    {
        Assert.Equal(RouteParseStatus.DigestInvalid, RegistryRouteParser.TryParse(path, out _));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("")]
    [InlineData("/v1/")]
    [InlineData("/V2/")]
    [InlineData("/v2x")]
    [InlineData("/v20/")]
    [InlineData("/token")]
    [InlineData("/admin/../v2/")]
    [InlineData("http://registry/v2/")]
    [InlineData("/v2/a")]
    [InlineData("/v2/a/")]
    [InlineData("/v2/_catalog/")]
    [InlineData("/v2/a/manifests")]
    [InlineData("/v2/a/manifests/latest/")]
    [InlineData("/v2/a/Manifests/latest")]
    [InlineData("/v2/a/tags/")]
    [InlineData("/v2/a/tags/list/")]
    [InlineData("/v2/a/tags/all")]
    [InlineData("/v2/a/uploads/x")]
    [InlineData("/v2/a/blobs/uploads/" + Digest)]
    [InlineData("/v2/a/blobs/uploads/a+b")]
    [InlineData("/v2/a/blobs/uploads/a/")]
    [InlineData("/v2/a/unknown/x")]
    public void TryParse_NoSuchRoute_NotFound(string path)
    {
        var status = RegistryRouteParser.TryParse(path, out var route);

        Assert.Equal(RouteParseStatus.NotFound, status);
        Assert.Equal(default, route);
    }

    [Fact]
    public void TryParse_Failure_RouteKindIsNoRoute()
    {
        RegistryRouteParser.TryParse("/v2/A/manifests/latest", out var route);

        Assert.False(Enum.IsDefined(route.Kind));
    }
}
