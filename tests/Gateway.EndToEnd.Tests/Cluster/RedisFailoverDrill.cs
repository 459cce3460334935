using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.EndToEnd.Tests.Infrastructure;
using Gateway.EndToEnd.Tests.Protection;

namespace Gateway.EndToEnd.Tests.Cluster;

/// <summary>
/// A registry, Redis behind Sentinels (<see cref="RedisSentinelSet"/>, down-after 1 s) and gateway nodes (role all)
/// that take client addresses from <c>X-Forwarded-For</c>; the state a failover must keep (a locked pair, a machine
/// account, a cached user) and the loop and probes that watch what clients see while the primary dies.
/// </summary>
public sealed class RedisFailoverDrill : IAsyncDisposable
{
    public const string Password = "right-password-1";
    public const string LoopUser = "pusher";
    public const string LockedUser = "locked";
    public const string Attacker = "203.0.113.9";
    public const string MachineAccount = "builder";
    private const string AdminToken = "admin-token-0123456789abcdef";
    private const int NewUsers = 300;
    private static readonly TimeSpan DownAfter = TimeSpan.FromSeconds(1);

    private readonly TempDirectory _temp = TempDirectory.Create();
    private RegistryServer _registry = null!;
    private int _nextNewUser;

    private RedisFailoverDrill()
    {
    }

    public RedisSentinelSet Redis { get; private set; } = null!;

    public GatewayCluster Cluster { get; private set; } = null!;

    /// <summary>Starts everything with <paramref name="nodes"/> gateway nodes and a user list of the drill's users.</summary>
    public static async Task<RedisFailoverDrill> StartAsync(int nodes)
    {
        var drill = new RedisFailoverDrill();
        try
        {
            var htpasswd = drill._temp.Combine("htpasswd");
            var users = new[] { LoopUser, LockedUser }.Concat(Enumerable.Range(0, NewUsers).Select(NewUser)).Select(u => (u, Password)).ToArray();
            await Htpasswd.CreateAsync(htpasswd, Htpasswd.MinimumCost, users);
            drill._registry = await RegistryServer.StartAsync(drill._temp);
            drill.Redis = await RedisSentinelSet.StartAsync(drill._temp, DownAfter);
            var template = new GatewayNodeOptions
            {
                BackendUrls = [drill._registry.BaseUrl.ToString().TrimEnd('/')],
                HtpasswdFile = htpasswd,
                KnownProxies = ["127.0.0.1"],
                Environment = new Dictionary<string, string?>
                {
                    ["Gateway__Lockout__MaxFailures"] = "5",
                    ["Gateway__Admin__Token"] = AdminToken,
                    ["Logging__LogLevel__Gateway.Grains.UserGrain"] = "Debug", // "User grain for '…' activated": where it lives
                },
            }.WithRedis(drill.Redis.ConnectionString);
            drill.Cluster = await GatewayCluster.StartAsync(nodes, template);
            return drill;
        }
        catch
        {
            await drill.DisposeAsync();
            throw;
        }
    }

    /// <summary>Five wrong passwords for <see cref="LockedUser"/> from <see cref="Attacker"/> through <paramref name="node"/>: the pair is locked.</summary>
    public async Task LockPairAsync(GatewayNode node)
    {
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await ProtectedClusterFixture.StatusAsync(node, LockedUser, $"wrong-{i}", Attacker));
        }

        Assert.Equal(ProtectedClusterFixture.LockedLogin, await ProtectedClusterFixture.StatusAsync(node, LockedUser, Password, Attacker));
    }

    /// <summary>Creates <see cref="MachineAccount"/> through <paramref name="node"/>'s admin endpoint; returns its secret.</summary>
    public static async Task<string> CreateMachineAccountAsync(GatewayNode node)
    {
        using var http = node.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"admin/machine-accounts/{MachineAccount}")
        {
            Headers = { Authorization = new("Bearer", AdminToken) },
            Content = new StringContent("""{"scopes":["repository:ci/*:pull,push"]}""", Encoding.UTF8, "application/json"),
        };
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var secret = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        Assert.Equal(HttpStatusCode.OK, await ProtectedClusterFixture.StatusAsync(node, "robot$" + MachineAccount, secret, "192.0.2.10"));
        return secret;
    }

    /// <summary>
    /// Pushes and pulls small blobs as <see cref="LoopUser"/> (a cached credential) round-robin over
    /// <paramref name="nodes"/>, one after the other, until <paramref name="stop"/>; every answer that is not the
    /// registry's success is a failure.
    /// </summary>
    public static async Task<PushPullLoopResult> RunPushPullLoopAsync(Func<IReadOnlyList<GatewayNode>> nodes, Stopwatch clock, CancellationToken stop)
    {
        var result = new PushPullLoopResult();
        var auth = ProtectedClusterFixture.Basic(LoopUser, Password);
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var live = nodes();
            var node = live[i % live.Count];
            using var http = node.CreateClient();
            http.Timeout = TimeSpan.FromSeconds(30);
            var data = RandomNumberGenerator.GetBytes(1024);
            var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));
            try
            {
                using var start = await SendAsync(http, HttpMethod.Post, "/v2/loop/app/blobs/uploads/", auth, null);
                if (!result.Record(clock, node, "POST upload", start.StatusCode, HttpStatusCode.Accepted))
                {
                    continue;
                }

                var put = start.Headers.Location!.PathAndQuery + "&digest=" + Uri.EscapeDataString(digest);
                using var done = await SendAsync(http, HttpMethod.Put, put, auth, new ByteArrayContent(data));
                if (!result.Record(clock, node, "PUT blob", done.StatusCode, HttpStatusCode.Created))
                {
                    continue;
                }

                using var get = await SendAsync(http, HttpMethod.Get, $"/v2/loop/app/blobs/{digest}", auth, null);
                result.Record(clock, node, "GET blob", get.StatusCode, HttpStatusCode.OK);
            }
            catch (HttpRequestException ex)
            {
                result.Record(clock, node, "connection " + ex.HttpRequestError, 0, HttpStatusCode.OK);
            }
        }

        return result;
    }

    /// <summary>A user whose first login is still to come.</summary>
    public string TakeNewUser() => NewUser(Interlocked.Increment(ref _nextNewUser) - 1);

    /// <summary>Rows of the membership table on the primary the Sentinels name now, one per silo: (address, status).</summary>
    public async Task<IReadOnlyList<(string Silo, string Status)>> MembershipAsync()
    {
        var primary = await Redis.PrimaryAsync();
        var keys = (await primary.RunCliAsync("--scan", "--pattern", "*members*")).StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var key = keys.Single(k => k.Contains(Cluster.Template.ClusterId, StringComparison.Ordinal));
        var silos = new List<(string, string)>();
        foreach (var line in (await primary.RunCliAsync("hvals", key)).StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!line.StartsWith('{'))
            {
                continue; // the table version
            }

            using var row = JsonDocument.Parse(line);
            var silo = row.RootElement.GetProperty("SiloAddress").ToString();
            var status = row.RootElement.GetProperty("Status");
            silos.Add((silo, status.ValueKind == JsonValueKind.Number ? ((SiloStatusName)status.GetInt32()).ToString() : status.GetString()!));
        }

        return silos;
    }

    public async ValueTask DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }

        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }

        if (_registry is not null)
        {
            await _registry.DisposeAsync();
        }

        _temp.Dispose();
    }

    private static string NewUser(int i) => string.Create(CultureInfo.InvariantCulture, $"new-{i}");

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, System.Net.Http.Headers.AuthenticationHeaderValue auth, HttpContent? content)
    {
        using var request = new HttpRequestMessage(method, path) { Headers = { Authorization = auth }, Content = content };
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "192.0.2.20");
        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    /// <summary>Orleans' SiloStatus numbers, as the membership table stores them.</summary>
    private enum SiloStatusName
    {
        None = 0,
        Created = 1,
        Joining = 2,
        Active = 3,
        ShuttingDown = 4,
        Stopping = 5,
        Dead = 6,
    }
}
