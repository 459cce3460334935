namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>Where the gateway executable built from this repository lives.</summary>
public static class GatewayBuild
{
    /// <summary>Overrides <see cref="HostDllPath"/> (e.g. a published build in CI).</summary>
    public const string HostDllVariable = "GATEWAY_E2E_HOST_DLL";

    /// <summary>The folder holding Gateway.sln, found by walking up from the test assembly's folder.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>Debug or Release: the configuration this test assembly was built in.</summary>
    public static string Configuration { get; } = DetectConfiguration();

    /// <summary>src/Gateway.Host/bin/&lt;Configuration&gt;/net10.0/Gateway.Host.dll (or $GATEWAY_E2E_HOST_DLL).</summary>
    public static string HostDllPath { get; } =
        Environment.GetEnvironmentVariable(HostDllVariable) is { Length: > 0 } overridden
            ? overridden
            : Path.Combine(RepositoryRoot, "src", "Gateway.Host", "bin", Configuration, "net10.0", "Gateway.Host.dll");

    /// <summary>Throws a clear message when the gateway has not been built.</summary>
    public static string EnsureBuilt() =>
        File.Exists(HostDllPath)
            ? HostDllPath
            : throw new FileNotFoundException(
                $"Gateway executable not found at {HostDllPath}. Build it first (dotnet build -c {Configuration}).", HostDllPath);

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No Gateway.sln above {AppContext.BaseDirectory}.");
    }

    private static string DetectConfiguration()
    {
        var segments = AppContext.BaseDirectory.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        foreach (var segment in segments.Reverse())
        {
            if (segment is "Debug" or "Release")
            {
                return segment;
            }
        }
#if DEBUG
        return "Debug";
#else
        return "Release";
#endif
    }
}
