using System.Net;
using System.Security.Cryptography;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.EndToEnd.Tests.Observability;

/// <summary>Requests with known effects on the metrics, against the observability cluster's edge.</summary>
public static class TrafficDriver
{
    /// <summary>GET <paramref name="path"/> with Basic credentials (none when <paramref name="user"/> is null).</summary>
    public static async Task<HttpStatusCode> GetAsync(HttpClient http, string path, string? user, string? password)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (user is not null)
        {
            request.Headers.Authorization = ObservabilityClusterFixture.Basic(user, password!);
        }

        using var response = await http.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        return response.StatusCode;
    }

    /// <summary>A monolithic blob upload (POST, then PUT with the bytes); returns the digest.</summary>
    public static async Task<string> UploadBlobAsync(HttpClient http, string repository, byte[] content)
    {
        var auth = ObservabilityClusterFixture.Basic(ObservabilityClusterFixture.User, ObservabilityClusterFixture.Password);
        using var start = new HttpRequestMessage(HttpMethod.Post, $"/v2/{repository}/blobs/uploads/") { Headers = { Authorization = auth } };
        using var started = await http.SendAsync(start);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));
        var location = started.Headers.Location!.ToString();
        var target = location + (location.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "digest=" + Uri.EscapeDataString(digest);
        using var put = new HttpRequestMessage(HttpMethod.Put, target) { Content = new ByteArrayContent(content), Headers = { Authorization = auth } };
        using var done = await http.SendAsync(put);
        Assert.Equal(HttpStatusCode.Created, done.StatusCode);
        return digest;
    }

    /// <summary>Wrong passwords from this address until the (random, unknown) user is locked; returns the locked answer's status.</summary>
    public static async Task<HttpStatusCode> LockOutAsync(HttpClient http)
    {
        var user = "otel-nobody-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        for (var i = 0; i < ObservabilityClusterFixture.MaxFailures; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync(http, "/v2/", user, "wrong-" + i));
        }

        return await GetAsync(http, "/v2/", user, "wrong-again");
    }

    /// <summary>Manifest GETs of the limited user past its pull limit; returns the last status.</summary>
    public static async Task<HttpStatusCode> ExceedPullLimitAsync(HttpClient http)
    {
        var status = HttpStatusCode.OK;
        for (var i = 0; i <= ObservabilityClusterFixture.PullLimit; i++)
        {
            status = await GetAsync(http, "/v2/otel/limited/manifests/latest", ObservabilityClusterFixture.LimitedUser, ObservabilityClusterFixture.LimitedPassword);
        }

        return status;
    }

    /// <summary>One request while the registry cannot be reached (503), then waits until it can again.</summary>
    public static async Task<HttpStatusCode> BackendFailureAsync(HttpClient http, RecordingHop hop)
    {
        hop.Refusing = true;
        hop.DropConnections();
        HttpStatusCode status;
        try
        {
            status = await GetAsync(http, "/v2/", ObservabilityClusterFixture.User, ObservabilityClusterFixture.Password);
        }
        finally
        {
            hop.Refusing = false;
        }

        await Poll.UntilAsync(
            async _ => await GetAsync(http, "/v2/", ObservabilityClusterFixture.User, ObservabilityClusterFixture.Password) == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30),
            "the registry to be reachable again",
            interval: TimeSpan.FromMilliseconds(500));
        return status;
    }
}
