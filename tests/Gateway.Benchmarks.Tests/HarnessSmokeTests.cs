using System.Diagnostics;
using System.Text.RegularExpressions;
using Gateway.Benchmarks.Harness;
using Gateway.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Gateway.Benchmarks.Tests;

/// <summary>
/// The benchmark command in its smallest configuration (<c>--quick</c>: one round, 0.4 s runs, an 8 MiB image, targets
/// direct, nginx-tls and gateway-1), in process: it must finish, write a report with a row for every target in every
/// workload it ran, and leave nothing running.
/// </summary>
public sealed partial class HarnessSmokeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task QuickRun_WritesARowForEveryTargetAndWorkload_AndStopsEverything()
    {
        using var temp = TempDirectory.Create();
        var report = temp.Combine("report.md");
        using var log = new StringWriter();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var watch = Stopwatch.StartNew();

        var exit = await BenchmarkCommand.RunAsync(["--quick", "--out", report], log, limit.Token);

        output.WriteLine($"benchmark command: exit {exit} after {watch.Elapsed.TotalSeconds:0.0} s");
        output.WriteLine(log.ToString());
        Assert.Equal(0, exit);
        Assert.True(File.Exists(report), "no report written");
        var text = await File.ReadAllTextAsync(report);

        var targets = BenchmarkOptions.QuickTargets;
        string[] small = ["get-v2", "head-manifest", "get-manifest", "get-manifest-digest", "head-blob"];
        string[] workloads = [.. small.Select(w => w + "-c1"), .. small.Select(w => w + "-c32"), "push-pull", "push-pull-curl", "flood"];
        foreach (var workload in workloads)
        {
            var section = Section(text, workload);
            foreach (var target in targets)
            {
                var row = section.Split('\n').FirstOrDefault(l => l.StartsWith($"| {target} |", StringComparison.Ordinal));
                Assert.True(row is not null, $"no row for {target} in the `{workload}` table:\n{section}");
                Assert.DoesNotContain("not run", row, StringComparison.Ordinal);
            }
        }

        // Every small-request run got answers, and only the expected ones.
        foreach (var row in small.SelectMany(w => Section(text, w + "-c1").Split('\n').Concat(Section(text, w + "-c32").Split('\n')))
                     .Where(l => targets.Any(t => l.StartsWith($"| {t} |", StringComparison.Ordinal))))
        {
            var cells = row.Split('|', StringSplitOptions.TrimEntries);
            Assert.True(double.Parse(cells[2], System.Globalization.CultureInfo.InvariantCulture) > 0, $"no requests answered: {row}");
            Assert.Equal("0", cells[^2]);
        }

        // push-pull-curl: every transfer through every target went through (HTTP/1.1, digests checked); rss-1g: the
        // 32 MiB blob went through every target with a proxy, and the gateway's memory goal was evaluated.
        foreach (var target in targets)
        {
            var curlRow = Section(text, "push-pull-curl").Split('\n').First(l => l.StartsWith($"| {target} |", StringComparison.Ordinal));
            Assert.Equal("0", curlRow.Split('|', StringSplitOptions.TrimEntries)[^2]);
            var rssRow = Section(text, "rss-1g").Split('\n').First(l => l.StartsWith($"| {target} |", StringComparison.Ordinal));
            if (target == TargetNames.Direct)
            {
                Assert.StartsWith("| direct | — (no proxy process) |", rssRow, StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal("0", rssRow.Split('|', StringSplitOptions.TrimEntries)[^2]);
            }
        }

        Assert.Contains("| ✅ | gateway-1: peak RSS growth < 64 MiB on a 32 MiB blob (curl push + pull)", text, StringComparison.Ordinal);

        // fleet-pull: a row for every target in the warm and the cold table, every pull answered.
        foreach (var mode in new[] { "warm", "cold" })
        {
            var table = Section(text, "fleet-pull", $"### {mode} runners");
            foreach (var target in targets)
            {
                var row = table.Split('\n').FirstOrDefault(l => l.StartsWith($"| {target} |", StringComparison.Ordinal));
                Assert.True(row is not null, $"no row for {target} in the fleet-pull {mode} table:\n{table}");
                Assert.Equal("0", row.Split('|', StringSplitOptions.TrimEntries)[^2]);
            }
        }

        // The gateway locked the flooded pair: no more bcrypt of wrong passwords than MaxFailures.
        Assert.Contains("| ✅ | gateway-1: no bcrypt after the lockout threshold", text, StringComparison.Ordinal);
        Assert.Contains("## Machine", text, StringComparison.Ordinal);
        Assert.Contains("token endpoint", text, StringComparison.Ordinal);

        // Tokens were issued by gateway-1, bcrypt was measured, and both copy modes ran without errors.
        var tokens = Section(text, "tokens");
        var tokenRow = tokens.Split('\n').First(l => l.StartsWith($"| {TargetNames.Gateway1} |", StringComparison.Ordinal)).Split('|', StringSplitOptions.TrimEntries);
        Assert.True(double.Parse(tokenRow[2], System.Globalization.CultureInfo.InvariantCulture) > 0, tokens);
        Assert.Equal("0", tokenRow[^2]);
        Assert.Contains("| 10 |", tokens, StringComparison.Ordinal);
        var copies = Section(text, "token-copy");
        foreach (var mode in new[] { "basic", "token" })
        {
            var cells = copies.Split('\n').First(l => l.StartsWith($"| {mode} |", StringComparison.Ordinal)).Split('|', StringSplitOptions.TrimEntries);
            Assert.True(double.Parse(cells[2], System.Globalization.CultureInfo.InvariantCulture) > 0, copies);
            Assert.Equal("0", cells[^2]);
        }

        // Everything it started is gone, and so is its folder.
        var folder = WorkingFolder().Match(log.ToString()).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(folder), "the log names no working folder");
        Assert.Empty(ProcessTable.Referencing(folder));
        Assert.False(Directory.Exists(folder), $"{folder} is still there");
    }

    /// <summary>The table under <paramref name="subheading"/> in the section that names `key`.</summary>
    private static string Section(string report, string key, string subheading)
    {
        var section = report[report.IndexOf($"## `{key}`", StringComparison.Ordinal)..];
        var start = section.IndexOf(subheading, StringComparison.Ordinal);
        Assert.True(start >= 0, $"no {subheading} under `{key}`");
        var end = section.IndexOf("\n#", start + subheading.Length, StringComparison.Ordinal);
        return end < 0 ? section[start..] : section[start..end];
    }

    /// <summary>The text from the heading that names `key` to the next heading.</summary>
    private static string Section(string report, string key)
    {
        var heading = Regex.Match(report, $"^#+ `{Regex.Escape(key)}`", RegexOptions.Multiline);
        var start = heading.Success ? heading.Index : -1;
        Assert.True(start >= 0, $"no section `{key}` in the report");
        var end = report.IndexOf("\n#", start, StringComparison.Ordinal);
        return end < 0 ? report[start..] : report[start..end];
    }

    [GeneratedRegex(@"Working folder: (\S+)")]
    private static partial Regex WorkingFolder();
}
