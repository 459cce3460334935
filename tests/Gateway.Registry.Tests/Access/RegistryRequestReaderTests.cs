using Gateway.Registry.Access;

namespace Gateway.Registry.Tests.Access;

public sealed class RegistryRequestReaderTests
{
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("POST", "/v2/alice/app/blobs/uploads/?mount=" + Digest + "&from=bob/private", "repository:alice/app:pull,push repository:bob/private:pull")]
    [InlineData("POST", "/v2/alice/app/blobs/uploads/?mount=" + Digest + "&fr%6Fm=bob%2Fprivate", "repository:alice/app:pull,push repository:bob/private:pull")]
    [InlineData("POST", "/v2/alice/app/blobs/uploads/?x=%41&mount=" + Digest + "&from=bob/private", "repository:alice/app:pull,push repository:bob/private:pull")]
    [InlineData("GET", "/v2/alice/app/manifests/latest?from=bob/private", "repository:alice/app:pull repository:bob/private:pull")]
    [InlineData("DELETE", "/v2/alice/app/tags/list?from=bob/private", "repository:alice/app:delete repository:bob/private:pull")]
    [InlineData("POST", "/v2/alice/app/blobs/uploads/?mount=" + Digest + "&FROM=bob/private", "repository:alice/app:pull,push")]
    [InlineData("GET", "/v2/_catalog?from=bob/private&n=10", "registry:catalog:*")]
    [InlineData("GET", "/v2/?from=bob/private", "")]
    [InlineData("PUT", "/v2/alice/app/blobs/uploads/u-1?_state=abc%3D&digest=" + Digest, "repository:alice/app:pull,push")]
    public void TryRead_Query_ScopesAsTheRegistryAsksForThem(string method, string target, string scopes)
    {
        Assert.Equal(RequestReadStatus.Ok, RegistryRequestReader.TryRead(method, target, [], out var request));

        Assert.Equal(scopes, request!.ScopeText);
        Assert.Equal(RegistryRequestAnswer.Forward, request.Answer);
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded;;")]
    [InlineData("application/x-www-form-urlencoded; a=\"")]
    [InlineData("application/x-www-form-urlencoded; a=b c")]
    [InlineData("application/x-www-form-urlencoded; =x")]
    [InlineData("application/x-www-form-urlencoded;charset=\"utf-8")]
    [InlineData("multipart/form-data; boundary=x;;")]
    [InlineData("application/x-www-form-urlencoded\u00a0")]
    public void TryRead_FormContentTypeParseableOrNot_FormBody(string contentType)
    {
        Assert.Equal(RequestReadStatus.FormBody, RegistryRequestReader.TryRead("POST", "/v2/alice/app/blobs/uploads/", [contentType], out var request));
        Assert.Null(request);
    }

    [Fact]
    public void TryRead_MultipartOnAGet_FormBody()
    {
        // Go parses a multipart body whatever the method.
        Assert.Equal(RequestReadStatus.FormBody, RegistryRequestReader.TryRead("GET", "/v2/alice/app/tags/list", ["multipart/form-data; boundary=x"], out _));
    }

    [Fact]
    public void TryRead_TwoContentTypes_ContentTypeRepeated()
    {
        Assert.Equal(RequestReadStatus.ContentTypeRepeated, RegistryRequestReader.TryRead("POST", "/v2/alice/app/blobs/uploads/", ["application/octet-stream", "application/x-www-form-urlencoded"], out _));
    }

    [Theory]
    [InlineData("application/octet-stream")]
    [InlineData("application/vnd.docker.distribution.manifest.v2+json")]
    [InlineData("")]
    [InlineData(null)]
    public void TryRead_RegistryContentTypes_Ok(string? contentType)
    {
        Assert.Equal(RequestReadStatus.Ok, RegistryRequestReader.TryRead("PUT", "/v2/alice/app/manifests/latest", [contentType], out _));
    }

    [Theory]
    [InlineData("/v2/alice/app/blobs/uploads/?x=1;from=bob/private")]
    [InlineData("/v2/alice/app/blobs/uploads/?from=bob/private%zz")]
    [InlineData("/v2/alice/app/blobs/uploads/?from=bob/private%4")]
    [InlineData("/v2/alice/app/blobs/uploads/?x=a b")]
    [InlineData("/v2/alice/app/blobs/uploads/?x=\"")]
    [InlineData("/v2/alice/app/blobs/uploads/?x=<>")]
    [InlineData("/v2/alice/app/blobs/uploads/?x={}|^`")]
    [InlineData("/v2/alice/app/blobs/uploads/?x=#y")]
    [InlineData("/v2/alice/app/blobs/uploads/?x=\u00e4")]
    [InlineData("/v2/alice/app/blobs/uploads/?x=\\")]
    public void TryRead_QueryNotPlain_QueryInvalid(string target)
    {
        Assert.Equal(RequestReadStatus.QueryInvalid, RegistryRequestReader.TryRead("POST", target, [], out _));
    }

    [Theory]
    [InlineData("from=alice/app&from=bob/private")]
    [InlineData("mount=a&mount=b")]
    [InlineData("digest=a&digest=b")]
    [InlineData("_state=a&_state=b")]
    [InlineData("from=a&fr%6Fm=b")]
    public void TryRead_RegistryParameterTwice_ParameterRepeated(string query)
    {
        Assert.Equal(RequestReadStatus.ParameterRepeated, RegistryRequestReader.TryRead("POST", "/v2/alice/app/blobs/uploads/?" + query, [], out _));
    }

    [Theory]
    [InlineData("from=Bob/Private")]
    [InlineData("from=bob//private")]
    [InlineData("from=bob/private%00")]
    [InlineData("from=bob+private")]
    [InlineData("from=localhost:5000/bob")]
    public void TryRead_MountSourceNotARepositoryName_MountSourceInvalid(string query)
    {
        Assert.Equal(RequestReadStatus.MountSourceInvalid, RegistryRequestReader.TryRead("POST", "/v2/alice/app/blobs/uploads/?" + query, [], out _));
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("HEAD")]
    [InlineData("DELETE")]
    public void TryRead_ManifestReferenceNeitherTagNorDigest_ReadOrDelete_AuthorizedThenManifestUnknown(string method)
    {
        Assert.Equal(RequestReadStatus.Ok, RegistryRequestReader.TryRead(method, "/v2/alice/app/manifests/a:b", [], out var request));

        Assert.Equal(RegistryRequestAnswer.ManifestUnknown, request!.Answer);
        Assert.Equal("alice/app", request.Route.Repository);
        Assert.Equal(method == "DELETE" ? "repository:alice/app:delete" : "repository:alice/app:pull", request.ScopeText);
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("POST")]
    [InlineData("PATCH")]
    public void TryRead_ManifestReferenceNeitherTagNorDigest_Write_ReferenceInvalid(string method)
    {
        Assert.Equal(RequestReadStatus.ReferenceInvalid, RegistryRequestReader.TryRead(method, "/v2/alice/app/manifests/a:b", [], out _));
    }

    [Theory]
    [InlineData("OPTIONS")]
    [InlineData("get")]
    [InlineData("TRACE")]
    public void TryRead_OtherMethods_MethodUnsupported(string method)
    {
        Assert.Equal(RequestReadStatus.MethodUnsupported, RegistryRequestReader.TryRead(method, "/v2/alice/app/tags/list", [], out _));
    }

    [Theory]
    [InlineData("/v2/alice/../bob/tags/list", RequestReadStatus.PathInvalid)]
    [InlineData("/v2/alice%2Fapp/tags/list", RequestReadStatus.PathInvalid)]
    [InlineData("/v2/Alice/tags/list", RequestReadStatus.NameInvalid)]
    [InlineData("/v2/alice/blobs/latest", RequestReadStatus.DigestInvalid)]
    [InlineData("/token", RequestReadStatus.NotFound)]
    public void TryRead_BadPaths_RefusedAsTheRouteParserSays(string target, RequestReadStatus expected)
    {
        Assert.Equal(expected, RegistryRequestReader.TryRead("GET", target, [], out _));
    }

    [Fact]
    public void TryRead_PathWithQueryPart_QueryDoesNotReachTheRouteParser()
    {
        Assert.Equal(RequestReadStatus.Ok, RegistryRequestReader.TryRead("GET", "/v2/alice/app/tags/list?n=10&last=a/b", [], out var request));
        Assert.Equal(RegistryRouteKind.TagsList, request!.Route.Kind);
    }
}
