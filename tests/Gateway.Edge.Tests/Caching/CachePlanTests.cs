using Gateway.Edge.Access;
using Gateway.Edge.Caching;
using Gateway.Registry.Access;
using Microsoft.AspNetCore.Http;

namespace Gateway.Edge.Tests.Caching;

public sealed class CachePlanTests
{
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("GET", RegistryRouteKind.Manifest, Digest, CachePlanKind.Lookup)]
    [InlineData("HEAD", RegistryRouteKind.Manifest, Digest, CachePlanKind.Lookup)]
    [InlineData("HEAD", RegistryRouteKind.Blob, Digest, CachePlanKind.Lookup)]
    [InlineData("GET", RegistryRouteKind.Blob, Digest, CachePlanKind.Pass)]
    [InlineData("GET", RegistryRouteKind.Manifest, "latest", CachePlanKind.Pass)]
    [InlineData("HEAD", RegistryRouteKind.Manifest, "latest", CachePlanKind.Pass)]
    [InlineData("DELETE", RegistryRouteKind.Manifest, "latest", CachePlanKind.Pass)]
    [InlineData("PUT", RegistryRouteKind.Manifest, Digest, CachePlanKind.Pass)]
    [InlineData("DELETE", RegistryRouteKind.Manifest, Digest, CachePlanKind.Invalidate)]
    [InlineData("DELETE", RegistryRouteKind.Blob, Digest, CachePlanKind.Invalidate)]
    [InlineData("GET", RegistryRouteKind.TagsList, null, CachePlanKind.Pass)]
    [InlineData("GET", RegistryRouteKind.Referrers, Digest, CachePlanKind.Pass)]
    [InlineData("PATCH", RegistryRouteKind.BlobUpload, "2f6c", CachePlanKind.Pass)]
    public void For_RouteAndMethod_PlansOnlyContentAddressedAnswers(string method, RegistryRouteKind kind, string? reference, CachePlanKind expected)
    {
        var plan = CachePlan.For(method, Access(kind, reference), new HeaderDictionary());

        Assert.Equal(expected, plan.Kind);
        if (expected != CachePlanKind.Pass)
        {
            Assert.Equal("team/app", plan.Key.Address.Repository);
            Assert.Equal(reference, plan.Key.Address.Digest);
        }
    }

    [Fact]
    public void For_NotLetThroughByTheGate_Passes()
    {
        Assert.Equal(CachePlanKind.Pass, CachePlan.For("GET", null, new HeaderDictionary()).Kind);
    }

    [Theory]
    [InlineData("Range", "bytes=0-1")]
    [InlineData("If-None-Match", "\"" + Digest + "\"")]
    [InlineData("If-Match", "*")]
    [InlineData("If-Modified-Since", "Thu, 01 Jan 2026 00:00:00 GMT")]
    [InlineData("If-Unmodified-Since", "Thu, 01 Jan 2026 00:00:00 GMT")]
    [InlineData("If-Range", "\"x\"")]
    public void For_ConditionalOrRangeRequest_Passes(string header, string value)
    {
        var headers = new HeaderDictionary { [header] = value };

        Assert.Equal(CachePlanKind.Pass, CachePlan.For("GET", Access(RegistryRouteKind.Manifest, Digest), headers).Kind);
        Assert.Equal(CachePlanKind.Pass, CachePlan.For("HEAD", Access(RegistryRouteKind.Blob, Digest), headers).Kind);
    }

    [Fact]
    public void For_ManifestAccept_IsPartOfTheKeyAndBlobsIgnoreIt()
    {
        var headers = new HeaderDictionary { ["Accept"] = "application/vnd.oci.image.manifest.v1+json" };

        Assert.Equal("application/vnd.oci.image.manifest.v1+json", CachePlan.For("GET", Access(RegistryRouteKind.Manifest, Digest), headers).Key.Accept);
        Assert.Equal(string.Empty, CachePlan.For("HEAD", Access(RegistryRouteKind.Blob, Digest), headers).Key.Accept);
    }

    [Fact]
    public void For_MountSourceScope_Passes()
    {
        var access = new RegistryAccessFeature("alice", new RegistryRoute(RegistryRouteKind.Blob, "team/app", Digest),
            [Scope("team/app"), Scope("team/other")]);

        Assert.Equal(CachePlanKind.Pass, CachePlan.For("HEAD", access, new HeaderDictionary()).Kind);
    }

    private static RegistryAccessFeature Access(RegistryRouteKind kind, string? reference) =>
        new("alice", new RegistryRoute(kind, "team/app", reference), [Scope("team/app")]);

    private static AccessScope Scope(string repository) => AccessScope.TryParse($"repository:{repository}:pull", out var scope) ? scope : throw new FormatException(repository);
}
