using System.Globalization;
using System.Net;
using Gateway.Benchmarks.Harness;
using Gateway.Benchmarks.Load;
using Gateway.Benchmarks.Targets;
using Gateway.EndToEnd.Tests.DirectAuth;

namespace Gateway.Benchmarks.Workloads;

/// <summary>One wrong-password flood against one target in one round.</summary>
public sealed record FloodResult(
    string Target,
    int Round,
    LoadResult Guesses,
    IReadOnlyList<TimeSpan> LoginsWithout,
    IReadOnlyList<TimeSpan> LoginsDuring,
    int FailedLogins,
    double? BcryptFailures,
    int FloodedUserElsewhereStatus)
{
    public double GuessesPerSecond => Guesses.RequestsPerSecond;

    /// <summary>Proxy CPU per answered guess, in ms.</summary>
    public double? CpuMillisPerGuess => Guesses is { Requests: > 0, Cpu: { } c } ? c.ProxyNet / Guesses.Requests * 1e3 : null;

    /// <summary>Cores the proxy processes kept busy during the flood.</summary>
    public double? ProxyCores => Guesses.Cpu is { } c && c.Wall > TimeSpan.Zero ? c.Proxy / c.Wall.TotalSeconds : null;

    public double LoginWithoutMs => Median(LoginsWithout);

    public double LoginDuringMs => Median(LoginsDuring);

    public static double Median(IReadOnlyList<TimeSpan> values) =>
        values.Count == 0 ? double.NaN : Stats.Median(values.Select(v => v.TotalMilliseconds));
}

/// <summary>
/// A wrong-password flood against one user: N connections from one client address send a different wrong password
/// each, for a bounded time; meanwhile a legitimate user logs in from another address (a new connection and a
/// <c>GET /v2/</c>, for a user never seen before, so every target runs a real bcrypt for it). Compared with the same
/// logins without a flood. Client addresses are real: the generator binds its sockets to distinct 127/8 source
/// addresses, which every target sees (the gateway directly, or through HAProxy's X-Forwarded-For), so no proxy
/// header has to be trusted for the flood. Each round floods a user of its own from an address of its own, so a
/// lock from an earlier round does not carry over.
/// </summary>
public static class Flood
{
    public static int LoginsWithoutFlood(BenchmarkOptions options) => options.Quick ? 2 : 3;

    /// <summary>One login per second of flood after the first second, 1 to 5.</summary>
    public static int LoginsDuringFlood(BenchmarkOptions options) => Math.Clamp((int)options.FloodSeconds - 1, 1, 5);

    public static string FloodedUser(int round) => string.Create(CultureInfo.InvariantCulture, $"flooded-r{round}");

    public static string LoginUser(string target, int round, string phase, int i) =>
        string.Create(CultureInfo.InvariantCulture, $"login-{target}-r{round}-{phase}{i}");

    /// <summary>Every user the flood needs in the htpasswd files.</summary>
    public static IEnumerable<string> Users(BenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        for (var round = 1; round <= options.Rounds; round++)
        {
            yield return FloodedUser(round);
            foreach (var target in options.Targets.Where(t => t != TargetNames.Direct && t != TargetNames.NginxTls))
            {
                for (var i = 0; i < LoginsWithoutFlood(options); i++)
                {
                    yield return LoginUser(target, round, "calm", i);
                }

                for (var i = 0; i < LoginsDuringFlood(options); i++)
                {
                    yield return LoginUser(target, round, "flood", i);
                }
            }
        }
    }

    public static async Task<List<FloodResult>> RunAsync(RunContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var results = new List<FloodResult>();
        for (var round = 1; round <= context.Options.Rounds; round++)
        {
            foreach (var target in context.Stack.Targets.Where(t => t.Authenticates))
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                await context.SettleAsync(TimeSpan.FromSeconds(15)).ConfigureAwait(false);
                var result = await RunOnceAsync(context, target, round).ConfigureAwait(false);
                results.Add(result);
                context.Log.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"  round {round} flood {target.Name,-16} {result.GuessesPerSecond,9:0.0} guesses/s ({result.Guesses.StatusSummary})  proxy {result.ProxyCores:0.00} cores  "
                    + $"login {result.LoginWithoutMs:0} ms → {result.LoginDuringMs:0} ms during the flood  "
                    + $"bcrypt of wrong passwords: {(result.BcryptFailures is { } b ? b.ToString("0", CultureInfo.InvariantCulture) : "every guess")}  "
                    + $"failed logins: {result.FailedLogins}"));
            }
        }

        return results;
    }

    private static async Task<FloodResult> RunOnceAsync(RunContext context, Target target, int round)
    {
        var o = context.Options;
        var ct = context.CancellationToken;
        var flooder = IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"127.0.1.{round}"));
        var legit = IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"127.0.2.{round}"));
        var ping = new Uri(target.BaseUri, "/v2/");
        var timeout = TimeSpan.FromSeconds(60);
        var failed = 0;

        async Task<TimeSpan> LoginAsync(string user)
        {
            var (latency, status) = await LoadGenerator.SendOnceAsync(ping, LoadGenerator.Basic(user, BenchmarkStack.OtherPassword), legit, timeout, ct).ConfigureAwait(false);
            if (status != 200)
            {
                Interlocked.Increment(ref failed);
            }

            return latency;
        }

        var without = new List<TimeSpan>();
        for (var i = 0; i < LoginsWithoutFlood(o); i++)
        {
            without.Add(await LoginAsync(LoginUser(target.Name, round, "calm", i)).ConfigureAwait(false));
        }

        var bcryptBefore = target.IsGateway ? await BcryptFailuresAsync(target).ConfigureAwait(false) : (double?)null;
        var during = new List<TimeSpan>();
        var floodStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task LoginsDuringAsync()
        {
            // One new login per second, from one second into the flood; the flood lasts until the last is answered.
            await floodStarted.Task.ConfigureAwait(false);
            var logins = new List<Task<TimeSpan>>();
            for (var i = 0; i < LoginsDuringFlood(o); i++)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
                logins.Add(LoginAsync(LoginUser(target.Name, round, "flood", i)));
            }

            during.AddRange(await Task.WhenAll(logins).ConfigureAwait(false));
        }

        var user = FloodedUser(round);
        var loginsDuring = LoginsDuringAsync();
        var guesses = await LoadGenerator.RunAsync(
            new LoadSpec
            {
                Url = ping,
                Authorization = n => LoadGenerator.Basic(user, string.Create(CultureInfo.InvariantCulture, $"wrong-guess-{n}")),
                Connections = o.FloodConnections,
                Warmup = TimeSpan.Zero,
                EndWhen = async () =>
                {
                    floodStarted.TrySetResult();
                    await Task.WhenAll(Task.Delay(TimeSpan.FromSeconds(o.FloodSeconds), ct), loginsDuring).ConfigureAwait(false);
                },
                ExpectedStatus = null,
                RequestTimeout = timeout,
                DrainTimeout = TimeSpan.FromSeconds(2),
                LocalAddress = flooder,
            },
            context.CpuMeterFor(target),
            ct).ConfigureAwait(false);

        double? bcryptFailures = bcryptBefore is { } before ? await BcryptFailuresAsync(target).ConfigureAwait(false) - before : null;

        // The flooded user itself, with its right password, from the other address: a lock must not follow it there.
        var (_, elsewhere) = await LoadGenerator.SendOnceAsync(ping, LoadGenerator.Basic(user, BenchmarkStack.OtherPassword), legit, timeout, ct).ConfigureAwait(false);
        return new FloodResult(target.Name, round, guesses, without, during, failed, bcryptFailures, elsewhere);
    }

    /// <summary>bcrypt verifications that failed, summed over the target's nodes (every wrong password that was checked).</summary>
    private static Task<double> BcryptFailuresAsync(Target target) =>
        Metrics.SumAsync(target.GatewayNodes, "gateway_auth_bcrypt_verifications_total", "result=\"failure\"");
}
