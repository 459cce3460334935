using System.Runtime.InteropServices;
using Gateway.EndToEnd.Tests.Infrastructure;

namespace Gateway.Benchmarks.Report;

/// <summary>The machine a run was made on, and the versions of what it ran.</summary>
public sealed record MachineInfo(
    int Cores,
    string CpuModel,
    string Memory,
    string Kernel,
    string OperatingSystem,
    IReadOnlyList<(string Name, string Version)> Versions,
    string LoadAverageAtStart)
{
    public static async Task<MachineInfo> DescribeAsync()
    {
        var cpu = ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) is { } line
            ? line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()
            : RuntimeInformation.ProcessArchitecture.ToString();
        var memory = ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)) is { } mem
            && long.TryParse(mem["MemTotal:".Length..].Trim().Split(' ')[0], out var kib)
            ? $"{kib / 1024.0 / 1024.0:0.0} GiB"
            : "?";
        var os = ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?["PRETTY_NAME=".Length..].Trim('"') ?? "?";
        var versions = new List<(string, string)>
        {
            (".NET runtime", RuntimeInformation.FrameworkDescription),
            (".NET SDK", await VersionAsync("dotnet", "--version").ConfigureAwait(false)),
            ("nginx", await VersionAsync("nginx", "-v").ConfigureAwait(false)),
            ("docker-registry", await VersionAsync("docker-registry", "--version").ConfigureAwait(false)),
            ("HAProxy", await VersionAsync("haproxy", "-v").ConfigureAwait(false)),
            ("redis-server", await VersionAsync("redis-server", "--version").ConfigureAwait(false)),
            ("skopeo", await VersionAsync("skopeo", "--version").ConfigureAwait(false)),
            ("htpasswd", "apache2-utils " + await DpkgVersionAsync("apache2-utils").ConfigureAwait(false)),
        };
        return new MachineInfo(
            Environment.ProcessorCount, cpu, memory, ReadAll("/proc/sys/kernel/osrelease"), os, versions, LoadAverage());
    }

    /// <summary>/proc/loadavg's first three fields.</summary>
    public static string LoadAverage() => string.Join(' ', ReadAll("/proc/loadavg").Split(' ').Take(3));

    private static async Task<string> VersionAsync(string program, params string[] args)
    {
        try
        {
            var result = await CommandRunner.RunAsync(program, args, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            return result.Output.Trim().Split('\n')[0].Trim();
        }
#pragma warning disable CA1031 // a missing tool is reported, not fatal
        catch (Exception e)
#pragma warning restore CA1031
        {
            return "unknown (" + e.GetType().Name + ")";
        }
    }

    private static async Task<string> DpkgVersionAsync(string package) =>
        await VersionAsync("dpkg-query", "-W", "-f=${Version}", package).ConfigureAwait(false);

    private static string ReadAll(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static IEnumerable<string> ReadLines(string path)
    {
        try
        {
            return File.ReadAllLines(path);
        }
        catch (IOException)
        {
            return [];
        }
    }
}
