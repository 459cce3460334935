namespace Gateway.Deploy.Tests.Support;

/// <summary>
/// A fact that is skipped, saying why, when a program it runs is not installed (.ci/run installs it; a developer
/// machine may not have it). Everything else about the test is unchanged.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class RequiresToolFactAttribute : FactAttribute
{
    public RequiresToolFactAttribute(string program, string debianPackage)
    {
        Program = program;
        if (!Tool.IsInstalled(program))
        {
            Skip = $"'{program}' is not installed (apt-get install {debianPackage}; .ci/run installs it)";
        }
    }

    public string Program { get; }
}
