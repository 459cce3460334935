namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>Reads /proc to find processes, e.g. to prove that a test left nothing running.</summary>
public static class ProcessTable
{
    /// <summary>PIDs of the live processes whose process group is <paramref name="pgid"/>.</summary>
    public static IReadOnlyList<int> InGroup(int pgid) =>
        [.. All().Where(p => p.ProcessGroup == pgid && p.State != 'Z').Select(p => p.Pid)];

    /// <summary>Live processes whose command line contains <paramref name="text"/> (e.g. a temp folder).</summary>
    public static IReadOnlyList<(int Pid, string CommandLine)> Referencing(string text) =>
        [.. All().Where(p => p.State != 'Z' && p.CommandLine.Contains(text, StringComparison.Ordinal))
            .Select(p => (p.Pid, p.CommandLine))];

    private static IEnumerable<(int Pid, int ProcessGroup, char State, string CommandLine)> All()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            string stat, cmdline;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
                cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').Trim();
            }
            catch (IOException)
            {
                continue; // gone meanwhile
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            // "pid (comm) state ppid pgrp ..." — comm may contain spaces and parentheses.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields.Length > 2 && int.TryParse(fields[2], out var pgrp))
            {
                yield return (pid, pgrp, fields[0][0], cmdline);
            }
        }
    }
}
