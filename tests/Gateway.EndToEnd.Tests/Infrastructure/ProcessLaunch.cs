using System.Diagnostics;

namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>Builds start infos that run a program in its own session/process group (via setsid).</summary>
internal static class ProcessLaunch
{
    /// <summary>Environment variables that would silently change what a child does; removed unless set explicitly.</summary>
    private static readonly string[] Scrubbed =
    [
        "ASPNETCORE_URLS", "DOTNET_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS",
        "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT", "DOCKER_HOST", "DOCKER_CONFIG", "DOCKER_CONTEXT",
        "REGISTRY_AUTH_FILE",
    ];

    public static ProcessStartInfo Create(
        string program,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment,
        string? workingDirectory)
    {
        var info = new ProcessStartInfo(Resolve("setsid"))
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? "/tmp",
        };

        // The child is not a process group leader, so setsid(1) calls setsid(2) and execs without forking:
        // the PID we get is the program's, and it leads a new process group (kill(-pid) reaches its children).
        info.ArgumentList.Add(Resolve(program));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var name in Scrubbed)
        {
            info.Environment.Remove(name);
        }

        if (environment is not null)
        {
            foreach (var (name, value) in environment)
            {
                if (value is null)
                {
                    info.Environment.Remove(name);
                }
                else
                {
                    info.Environment[name] = value;
                }
            }
        }

        return info;
    }

    /// <summary>Absolute path of a program (searched in PATH when it has no slash).</summary>
    public static string Resolve(string program)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(program) ? program : throw new FileNotFoundException($"Program not found: {program}", program);
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries).Append("/usr/sbin").Append("/sbin"))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"Program '{program}' not found in PATH.", program);
    }

    public static string Describe(string program, IEnumerable<string> arguments) =>
        string.Join(' ', arguments.Prepend(program).Select(a => a.Length == 0 || a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a));
}
