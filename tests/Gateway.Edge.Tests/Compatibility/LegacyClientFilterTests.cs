using System.Net;
using Gateway.Edge.Compatibility;
using Gateway.Edge.Tests.Support;

namespace Gateway.Edge.Tests.Compatibility;

public sealed class LegacyClientFilterTests
{
    [Theory]
    [InlineData("docker/1.3.0 go/go1.3.3", true)]
    [InlineData("docker/1.4.1 go/go1.3.3 git-commit/5bc2ff8", true)]
    [InlineData("docker/1.5.0 go/go1.4.1", true)]
    [InlineData("docker/1.5.1-dev go/go1.4.1", false)]
    [InlineData("docker/1.6.0 go/go1.4.2", false)]
    [InlineData("docker/1.50.0", true)]
    [InlineData("Go 1.1 package http", true)]
    [InlineData("Go-http-client/1.1", false)]
    [InlineData("docker/20.10.24+dfsg1 go/go1.19.8", false)]
    [InlineData("skopeo/1.9.3", false)]
    [InlineData("", false)]
    public void IsBlocked_RecipeRule_MatchesNginx(string userAgent, bool blocked) => Assert.Equal(blocked, LegacyClientFilter.IsBlocked(userAgent));

    [Theory]
    [InlineData("docker/1.5.0 go/go1.4.1", HttpStatusCode.NotFound)]
    [InlineData("Go 1.1 package http", HttpStatusCode.NotFound)]
    [InlineData("Go-http-client/1.1", HttpStatusCode.Unauthorized)]
    [InlineData("docker/1.5.1-dev go/go1.4.1", HttpStatusCode.Unauthorized)]
    public async Task Invoke_LegacyAgent_GetsRecipeStatusWithApiVersion(string userAgent, HttpStatusCode expected)
    {
        await using var edge = await EdgeTestHost.StartAsync();

        using var response = await edge.SendAsync(HttpMethod.Get, "/v2/", configure: r => r.Headers.TryAddWithoutValidation("User-Agent", userAgent));

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(["registry/2.0"], response.Headers.GetValues("Docker-Distribution-Api-Version"));
        Assert.Empty(edge.Backend.Received);
    }
}
