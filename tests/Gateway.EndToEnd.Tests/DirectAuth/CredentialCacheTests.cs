using System.Net;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.EndToEnd.Tests.DirectAuth;

/// <summary>The cluster-wide credential cache and htpasswd reloads, seen through the nodes' metrics and answers.</summary>
public sealed class CredentialCacheTests(DirectAuthClusterFixture cluster) : IClassFixture<DirectAuthClusterFixture>
{
    private const string Verifications = "gateway_auth_bcrypt_verifications_total";

    [Fact]
    public async Task ManyRequestsOverAllNodes_CostExactlyOneBcrypt()
    {
        var nodes = cluster.Cluster.Nodes;
        var before = await Metrics.SumAsync(nodes, Verifications);
        var auth = DirectAuthClusterFixture.Basic(DirectAuthClusterFixture.CacheUser, DirectAuthClusterFixture.CachePassword);
        var clients = nodes.Select(n => n.CreateClient()).ToArray();
        try
        {
            // 48 requests, 8 at a time, alternating nodes; the first ones race while the cache is cold.
            var statuses = new List<HttpStatusCode>();
            for (var round = 0; round < 6; round++)
            {
                var batch = Enumerable.Range(0, 8).Select(async i =>
                {
                    using var request = i % 2 == 0
                        ? new HttpRequestMessage(HttpMethod.Get, "/v2/") { Headers = { Authorization = auth } }
                        : new HttpRequestMessage(HttpMethod.Head, "/v2/e2e/cache/manifests/latest") { Headers = { Authorization = auth } };
                    using var response = await clients[i % clients.Length].SendAsync(request);
                    return response.StatusCode;
                });
                statuses.AddRange(await Task.WhenAll(batch));
            }

            Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.NotFound, $"unexpected {s} in {string.Join(",", statuses)}"));
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }

        var after = await Metrics.SumAsync(nodes, Verifications);
        Assert.Equal(1, after - before);
    }

    [Fact]
    public async Task UnknownUserAndWrongPassword_EachCostOneBcryptAndAnswerTheSame()
    {
        using var a = cluster.A.CreateClient();
        var nodes = cluster.Cluster.Nodes;

        var before = await Metrics.SumAsync(nodes, Verifications);
        using var unknown = await GetAsync(a, "nobody-here", "whatever");
        var afterUnknown = await Metrics.SumAsync(nodes, Verifications);
        using var wrong = await GetAsync(a, DirectAuthClusterFixture.User, "not-the-password");
        var afterWrong = await Metrics.SumAsync(nodes, Verifications);

        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(await unknown.Content.ReadAsStringAsync(), await wrong.Content.ReadAsStringAsync());
        Assert.Equal(unknown.Headers.WwwAuthenticate.ToString(), wrong.Headers.WwwAuthenticate.ToString());
        Assert.Equal(1, afterUnknown - before);
        Assert.Equal(1, afterWrong - afterUnknown);
    }

    [Fact]
    public async Task HtpasswdChange_NewUserWorksAndRemovedUserStopsOnEveryNodeWithoutRestart()
    {
        var clients = cluster.Cluster.Nodes.Select(n => n.CreateClient()).ToArray();
        try
        {
            await Htpasswd.AddOrUpdateAsync(cluster.HtpasswdPath, 10, "dave", "dave-pw-1");
            foreach (var client in clients)
            {
                await Poll.UntilAsync(async _ => (await StatusAsync(client, "dave", "dave-pw-1")) == HttpStatusCode.OK, TimeSpan.FromSeconds(15), "dave to be accepted");
            }

            await Htpasswd.AddOrUpdateAsync(cluster.HtpasswdPath, 10, "dave", "dave-pw-2");
            foreach (var client in clients)
            {
                await Poll.UntilAsync(async _ => (await StatusAsync(client, "dave", "dave-pw-1")) == HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(15), "dave's old password to be refused");
                Assert.Equal(HttpStatusCode.OK, await StatusAsync(client, "dave", "dave-pw-2"));
            }

            await Htpasswd.RemoveUserAsync(cluster.HtpasswdPath, "dave");
            foreach (var client in clients)
            {
                await Poll.UntilAsync(async _ => (await StatusAsync(client, "dave", "dave-pw-2")) == HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(15), "removed dave to be refused");
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, string user, string password)
    {
        using var response = await GetAsync(client, user, password);
        return response.StatusCode;
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string user, string password)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/") { Headers = { Authorization = DirectAuthClusterFixture.Basic(user, password) } };
        return await client.SendAsync(request);
    }
}
