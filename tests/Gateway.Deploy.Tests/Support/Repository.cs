namespace Gateway.Deploy.Tests.Support;

/// <summary>Files of this repository, found from the test assembly's folder.</summary>
public static class Repository
{
    /// <summary>The folder holding Gateway.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>A path under the repository root, from '/'-separated parts.</summary>
    public static string PathOf(string relative) => System.IO.Path.Combine(Root, relative.Replace('/', System.IO.Path.DirectorySeparatorChar));

    public static string Read(string relative) => File.ReadAllText(PathOf(relative));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Gateway.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No Gateway.sln above {AppContext.BaseDirectory}.");
    }
}
