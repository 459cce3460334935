using System.Net;
using System.Text.Json;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.EndToEnd.Tests.Hardening;

/// <summary>
/// Nothing internal reaches a client: a real registry's 500, whose body names its storage path, is answered with the
/// gateway's own registry-format error; the registry's answer is in the gateway's log.
/// </summary>
public sealed class BackendFaultTests
{
    [Fact]
    public async Task RegistryAnswers500WithItsStoragePath_ClientGetsTheGatewaysErrorWithoutIt()
    {
        using var temp = TempDirectory.Create();
        var htpasswd = temp.Combine("htpasswd");
        await Htpasswd.CreateAsync(htpasswd, Htpasswd.MinimumCost, ("alice", "alice-pw"));
        await using var registry = await RegistryServer.StartAsync(temp);

        // A file where the registry expects a repository folder: it answers 500 naming the path on its disk.
        var repositories = Path.Combine(registry.StorageDirectory, "docker", "registry", "v2", "repositories", "alice");
        Directory.CreateDirectory(repositories);
        await File.WriteAllTextAsync(Path.Combine(repositories, "broken"), "not a folder");
        using (var direct = TestHttp.CreateClient(registry.BaseUrl))
        using (var raw = await direct.GetAsync("/v2/alice/broken/tags/list"))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, raw.StatusCode);
            Assert.Contains(registry.StorageDirectory, await raw.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await using var node = await GatewayNode.StartAsync(new GatewayNodeOptions { BackendUrls = [registry.BaseUrl.ToString().TrimEnd('/')], HtpasswdFile = htpasswd });
        using var http = node.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/alice/broken/tags/list") { Headers = { Authorization = new("Basic", Convert.ToBase64String("alice:alice-pw"u8.ToArray())) } };
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.DoesNotContain(registry.StorageDirectory, body, StringComparison.Ordinal);
        Assert.DoesNotContain("DriverName", body, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("UNKNOWN", json.RootElement.GetProperty("errors")[0].GetProperty("code").GetString());
        Assert.Equal("registry/2.0", Assert.Single(response.Headers.GetValues("Docker-Distribution-Api-Version")));
        var logged = await node.WaitForLogAsync(l => l.Contains("Registry answered 500", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        Assert.Contains("DriverName", logged, StringComparison.Ordinal);
    }
}
