using Gateway.Edge.Telemetry;

namespace Gateway.Edge.Tests.Telemetry;

public sealed class RouteClassesTests
{
    [Theory]
    [InlineData("/v2/", "base")]
    [InlineData("/v2/_catalog", "catalog")]
    [InlineData("/v2/library/alpine/tags/list", "tags")]
    [InlineData("/v2/library/alpine/manifests/3.20", "manifest")]
    [InlineData("/v2/library/alpine/blobs/sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "blob")]
    [InlineData("/v2/library/alpine/blobs/uploads/", "upload")]
    [InlineData("/v2/library/alpine/blobs/uploads/6b3c1f4e-8f5a-4a52-9d5e-2c4a7c1d9e10", "upload")]
    [InlineData("/v2/library/Alpine/manifests/x", "other")]
    [InlineData("/v2/nothing-here", "other")]
    public void Of_RawPath_IsTheRouteClass(string path, string expected) => Assert.Equal(expected, RouteClasses.Of(path));

    [Theory]
    [InlineData("GET", "GET")]
    [InlineData("PATCH", "PATCH")]
    [InlineData("PROPFIND", "_OTHER")]
    [InlineData("get", "_OTHER")]
    public void Method_IsOneOfAFewLabels(string method, string expected) => Assert.Equal(expected, RouteClasses.Method(method));
}
