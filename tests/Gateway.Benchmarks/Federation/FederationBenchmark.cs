using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Gateway.Benchmarks.Harness;
using Gateway.Benchmarks.Hardening;
using Gateway.Edge.Access.Identify.Federation;
using Gateway.EndToEnd.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Benchmarks.Federation;

/// <summary>
/// Keyless CI's figures (issue 17), one run, side by side: (1) in process, the cost of validating one federated token
/// (RS256 and ES256, keys cached) against reading it unverified, so the difference is the signature check; (2) one
/// gateway node (TLS) and a real OpenID provider: <c>GET /v2/</c> per second with a cached htpasswd credential and with
/// a cached federated token, interleaved rounds, and the ratio; (3) key rotation: the first request with a token of a
/// newly published key (the unknown kid makes the node refetch the keys) against a warm one.
/// <c>dotnet run -c Release --project tests/Gateway.Benchmarks -- federation [--seconds S] [--rounds N] [--workers W] [--out FILE]</c>
/// </summary>
public static class FederationBenchmark
{
    private const string Audience = "registry-gateway-bench";

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var seconds = FailureTimingBenchmark.Option(args, "--seconds", 5);
        var rounds = FailureTimingBenchmark.Option(args, "--rounds", 3);
        var workers = FailureTimingBenchmark.Option(args, "--workers", 8);
        var outPath = FailureTimingBenchmark.OptionText(args, "--out") ?? "federation.md";
        using var temp = TempDirectory.Create();
        using var pki = TestPki.Create(temp);
        await using var provider = await OidcProvider.StartAsync(pki).ConfigureAwait(false);
        var report = new StringBuilder();
        report.AppendLine("# Keyless CI: federated tokens (issue 17)").AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores; provider: oidc-provider on Node over HTTPS (loopback).").AppendLine();

        output.WriteLine("In-process validation cost…");
        await SignatureCostAsync(provider, pki, report).ConfigureAwait(false);

        var htpasswd = temp.Combine("htpasswd");
        await Htpasswd.CreateAsync(htpasswd, 10, [("alice", "alice-pw")]).ConfigureAwait(false);
        await using var registry = await RegistryServer.StartAsync(temp, new RegistryOptions { LogLevel = "warn" }).ConfigureAwait(false);
        await using var node = await GatewayNode.StartAsync(new GatewayNodeOptions
        {
            BackendUrls = [registry.BaseUrl.ToString().TrimEnd('/')],
            HtpasswdFile = htpasswd,
            AuthCacheTtl = TimeSpan.FromMinutes(30),
            LogLevelDefault = "Warning",
            Environment = new Dictionary<string, string?>
            {
                ["Gateway__Auth__Providers__0"] = "federation",
                ["Gateway__Auth__Providers__1"] = "htpasswd",
                ["Gateway__Federation__Issuers__0__Issuer"] = provider.Issuer,
                ["Gateway__Federation__Issuers__0__Audience"] = Audience,
                ["Gateway__Federation__Issuers__0__CaFile"] = pki.CaCertificatePath,
                ["Gateway__Federation__Issuers__0__AccountTemplate"] = "ci/${claims:repository}",
                ["Gateway__Federation__MinimumRefreshInterval"] = "00:00:01",
                ["Gateway__RateLimit__Requests__Limit"] = "100000000",
            },
        }.WithTls(pki)).ConfigureAwait(false);

        output.WriteLine($"Requests per second, {rounds} interleaved rounds of {seconds} s, {workers} workers…");
        var token = await MintAsync(provider, "acme/bench", TimeSpan.FromHours(1)).ConfigureAwait(false);
        var kinds = new (string Name, string User, string Password)[] { ("Basic, cached htpasswd credential (bcrypt cost 10)", "alice", "alice-pw"), ("Basic, cached federated token (RS256)", "oidc", token) };
        var rates = kinds.ToDictionary(k => k.Name, _ => new List<double>());
        foreach (var (_, user, password) in kinds)
        {
            await LoadAsync(node, user, password, workers, TimeSpan.FromSeconds(1)).ConfigureAwait(false); // warm: JIT, caches, connections
        }

        for (var round = 0; round < rounds; round++)
        {
            foreach (var (name, user, password) in kinds)
            {
                rates[name].Add(await LoadAsync(node, user, password, workers, TimeSpan.FromSeconds(seconds)).ConfigureAwait(false));
            }
        }

        var basic = Stats.Median(rates[kinds[0].Name]);
        report.AppendLine(CultureInfo.InvariantCulture, $"## `GET /v2/` per second, one node, warm cache ({rounds} rounds × {seconds} s, {workers} concurrent keep-alive clients)").AppendLine();
        report.AppendLine("| credential | median req/s | range | ratio to Basic |").AppendLine("| --- | ---: | ---: | ---: |");
        foreach (var (name, _, _) in kinds)
        {
            var (min, max) = Stats.Range(rates[name]);
            report.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {Stats.Median(rates[name]):0} | {min:0}–{max:0} | {Stats.Median(rates[name]) / basic:0.00} |");
        }

        output.WriteLine("Key rotation…");
        await RotationAsync(node, provider, report).ConfigureAwait(false);
        await File.WriteAllTextAsync(outPath, report.ToString()).ConfigureAwait(false);
        output.WriteLine(report.ToString());
        return 0;
    }

    private static async Task SignatureCostAsync(OidcProvider provider, TestPki pki, StringBuilder report)
    {
        var options = new FederationOptions
        {
            Issuers = [new TrustedIssuerOptions { Issuer = provider.Issuer, Audience = Audience, CaFile = pki.CaCertificatePath, AccountTemplate = "ci/${claims:repository}" }],
        };
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new FederationMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        using var issuers = new TrustedIssuers(options, TimeProvider.System, metrics, NullLoggerFactory.Instance, TrustedIssuers.CreateClient);
        var validator = new FederatedTokenValidator(issuers, Microsoft.Extensions.Options.Options.Create(options), TimeProvider.System, metrics, NullLogger<FederatedTokenValidator>.Instance);
        const int Iterations = 3000;
        report.AppendLine(CultureInfo.InvariantCulture, $"## One token's validation in process (keys cached; {Iterations} iterations, median of 5 batches)").AppendLine();
        report.AppendLine("| algorithm | full validation µs | read unverified (Peek) µs | signature check ≈ µs |").AppendLine("| --- | ---: | ---: | ---: |");
        foreach (var alg in new[] { "RS256", "ES256" })
        {
            var token = await provider.MintAsync(new(new Dictionary<string, object> { ["repository"] = "acme/cost" }) { Algorithm = alg, Audience = Audience, Lifetime = TimeSpan.FromHours(1) }).ConfigureAwait(false);
            if (!(await validator.ValidateAsync(token, default).ConfigureAwait(false)).IsValid)
            {
                throw new InvalidOperationException($"{alg} token not valid");
            }

            var full = new List<double>();
            var peek = new List<double>();
            for (var batch = 0; batch < 5; batch++)
            {
                var watch = Stopwatch.StartNew();
                for (var i = 0; i < Iterations; i++)
                {
                    await validator.ValidateAsync(token, default).ConfigureAwait(false);
                }

                full.Add(watch.Elapsed.TotalMicroseconds / Iterations);
                watch.Restart();
                for (var i = 0; i < Iterations; i++)
                {
                    validator.Peek(token);
                }

                peek.Add(watch.Elapsed.TotalMicroseconds / Iterations);
            }

            var f = Stats.Median(full);
            var p = Stats.Median(peek);
            report.AppendLine(CultureInfo.InvariantCulture, $"| {alg} | {f:0.0} | {p:0.0} | {f - p:0.0} |");
        }

        report.AppendLine();
    }

    private static async Task RotationAsync(GatewayNode node, OidcProvider provider, StringBuilder report)
    {
        using var http = node.CreateClient();
        var first = new List<double>();
        var warm = new List<double>();
        var oldRefused = 0;
        const int Rotations = 5;
        for (var i = 0; i < Rotations; i++)
        {
            var old = await MintAsync(provider, $"acme/rotation-old-{i}", TimeSpan.FromMinutes(10)).ConfigureAwait(false);
            await provider.RotateAsync(keepOld: false).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromSeconds(1.1)).ConfigureAwait(false); // the node's MinimumRefreshInterval
            var fresh = await MintAsync(provider, $"acme/rotation-{i}", TimeSpan.FromMinutes(10)).ConfigureAwait(false);
            var (status, ms) = await TimeAsync(http, fresh).ConfigureAwait(false);
            if (status != 200)
            {
                throw new InvalidOperationException($"new-key token answered {status}");
            }

            first.Add(ms);
            warm.Add((await TimeAsync(http, await MintAsync(provider, $"acme/rotation-warm-{i}", TimeSpan.FromMinutes(10)).ConfigureAwait(false)).ConfigureAwait(false)).Milliseconds);
            oldRefused += (await TimeAsync(http, old).ConfigureAwait(false)).Status == 401 ? 1 : 0;
        }

        report.AppendLine(CultureInfo.InvariantCulture, $"## Key rotation ({Rotations} rotations, old keys withdrawn at once; no restart)").AppendLine();
        report.AppendLine("| request | median ms | range ms |").AppendLine("| --- | ---: | ---: |");
        var (fMin, fMax) = Stats.Range(first);
        var (wMin, wMax) = Stats.Range(warm);
        report.AppendLine(CultureInfo.InvariantCulture, $"| first token of the new key (unknown kid: discovery + JWKS refetched, then verified) | {Stats.Median(first):0.0} | {fMin:0.0}–{fMax:0.0} |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| next new token of the same key (verified, keys cached) | {Stats.Median(warm):0.0} | {wMin:0.0}–{wMax:0.0} |");
        report.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Tokens of the withdrawn key refused right after the refetch: {oldRefused} of {Rotations}.");
    }

    private static Task<string> MintAsync(OidcProvider provider, string repository, TimeSpan lifetime) =>
        provider.MintAsync(new(new Dictionary<string, object> { ["repository"] = repository }) { Audience = Audience, Lifetime = lifetime });

    private static async Task<double> LoadAsync(GatewayNode node, string user, string password, int workers, TimeSpan duration)
    {
        var header = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        using var http = node.CreateClient();
        var count = 0L;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
        {
            while (watch.Elapsed < duration)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/") { Headers = { Authorization = header } };
                using var response = await http.SendAsync(request).ConfigureAwait(false);
                if ((int)response.StatusCode != 200)
                {
                    throw new InvalidOperationException($"{user}: {(int)response.StatusCode}");
                }

                Interlocked.Increment(ref count);
            }
        })).ConfigureAwait(false);
        return count / watch.Elapsed.TotalSeconds;
    }

    private static async Task<(int Status, double Milliseconds)> TimeAsync(HttpClient http, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/")
        {
            Headers = { Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"oidc:{token}"))) },
        };
        var watch = Stopwatch.StartNew();
        using var response = await http.SendAsync(request).ConfigureAwait(false);
        return ((int)response.StatusCode, watch.Elapsed.TotalMilliseconds);
    }
}
