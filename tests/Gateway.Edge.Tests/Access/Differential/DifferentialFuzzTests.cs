using System.Globalization;
using Xunit.Abstractions;

namespace Gateway.Edge.Tests.Access.Differential;

/// <summary>
/// The gate against the registry's own parser (<see cref="RegistryOracle"/>): hostile requests go through the real
/// edge, and whatever it forwards must mean to distribution 2.8.2 exactly what the gate authorized. A seeded
/// generator (<c>GATEWAY_FUZZ_SEED</c>, printed on every run) makes <c>GATEWAY_FUZZ_COUNT</c> requests (50,000 by
/// default); the committed corpus, every request that ever found a difference, runs first, always.
/// </summary>
public sealed class DifferentialFuzzTests(DifferentialFixture fixture, ITestOutputHelper output) : IClassFixture<DifferentialFixture>
{
    private const int Workers = 2;

    [Fact]
    public async Task Corpus_EveryRequestThatEverFoundADifference_GateAndRegistryAgree()
    {
        var corpus = DifferentialCorpus.Load(fixture.Gate.Authority, GateUnderTest.Authorization);
        var result = await new DifferentialRun(fixture).RunAsync(corpus.Select(c => c.Request).ToList(), Workers);

        output.WriteLine($"corpus: {result.Sent} requests, {result.Allowed} allowed, {result.Forwarded} forwarded, {result.RegistryActed} acted on by the registry, {result.PerSecond:F0}/s");
        Assert.True(corpus.Count >= 10, "the corpus is missing");
        Assert.True(result.Differences.Count == 0, Report(result, corpus.Select(c => c.Name).ToList()));
    }

    [Fact]
    public async Task Generated_HostileRequests_GateAndRegistryAgree()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("GATEWAY_FUZZ_SEED"), out var s) ? s : Random.Shared.Next();
        var count = int.TryParse(Environment.GetEnvironmentVariable("GATEWAY_FUZZ_COUNT"), out var c) ? c : 50_000;
        var generator = new HostileRequestGenerator(seed, fixture.Gate.Authority, GateUnderTest.Authorization);
        var requests = Enumerable.Range(0, count).Select(_ => generator.Next()).ToList();

        var result = await new DifferentialRun(fixture).RunAsync(requests, Workers);

        var summary = $"differential fuzz: seed {seed}, {result.Sent} requests in {result.Elapsed.TotalSeconds:F1} s ({result.PerSecond:F0}/s); {result.Allowed} allowed, {result.Forwarded} forwarded, {result.RegistryActed} acted on by the registry; {result.Differences.Count} differences";
        output.WriteLine(summary);

        // CI prints this file after the test run (a passing test's output is not shown at normal verbosity).
        await File.WriteAllTextAsync(Path.Combine(AppContext.BaseDirectory, "differential-summary.txt"), summary + Environment.NewLine);
        foreach (var (outcome, n) in result.Outcomes.OrderByDescending(o => o.Value))
        {
            output.WriteLine($"  {n,7} {outcome}");
        }

        if (result.Differences.Count > 0)
        {
            var file = Path.Combine(AppContext.BaseDirectory, $"differential-{seed}.jsonl");
            File.WriteAllLines(file, result.Differences.Select(d => DifferentialCorpus.ToLine($"seed {seed} #{d.Index}: {d.Problem}", d.Request, fixture.Gate.Authority, GateUnderTest.Authorization)));
            output.WriteLine($"requests that found differences: {file} (add them to Corpus/)");
        }

        Assert.True(result.Forwarded > count / 10, $"only {result.Forwarded} of {count} requests were forwarded: the generator no longer reaches the registry");
        Assert.True(result.Differences.Count == 0, $"seed {seed} (rerun with GATEWAY_FUZZ_SEED={seed.ToString(CultureInfo.InvariantCulture)}): " + Report(result, null));
    }

    private static string Report(DifferentialRun.Result result, IReadOnlyList<string>? names)
    {
        var lines = new List<string> { $"{result.Differences.Count} differences, {result.DistinctSignatures.Count} distinct:" };
        lines.AddRange(result.DistinctSignatures.Take(40).Select(sig => "  " + sig));
        foreach (var d in result.Differences.Take(15))
        {
            var name = names is not null && d.Index >= 0 ? names[d.Index] : $"#{d.Index}";
            lines.Add($"--- {name}: {d.Problem}\n{d.Request.Describe()}\n{d.Detail}");
        }

        return string.Join('\n', lines);
    }
}
