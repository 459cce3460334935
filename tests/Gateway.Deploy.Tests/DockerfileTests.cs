using System.Text.RegularExpressions;
using Gateway.Deploy.Tests.Support;

namespace Gateway.Deploy.Tests;

/// <summary>deploy/Dockerfile, read as Docker reads it (no image can be built here: no base image can be pulled).</summary>
public sealed partial class DockerfileTests
{
    private static readonly IReadOnlyList<Instruction> Instructions = Parse(Repository.Read("deploy/Dockerfile"));

    private static IReadOnlyList<IReadOnlyList<Instruction>> Stages
    {
        get
        {
            var stages = new List<List<Instruction>>();
            foreach (var instruction in Instructions)
            {
                if (instruction.Keyword == "FROM")
                {
                    stages.Add([]);
                }

                Assert.True(stages.Count > 0, $"{instruction.Keyword} before the first FROM");
                stages[^1].Add(instruction);
            }

            return stages;
        }
    }

    private static IReadOnlyList<Instruction> Final => Stages[^1];

    [Fact]
    public void Stages_BuildOnTheSdk_RunOnTheAspNetRuntime()
    {
        Assert.True(Stages.Count >= 2, $"{Stages.Count} stage(s)");
        Assert.Matches(@"^mcr\.microsoft\.com/dotnet/sdk:10\.0 AS \w+$", Stages[0][0].Arguments);
        Assert.Matches(@"^mcr\.microsoft\.com/dotnet/aspnet:10\.0( AS \w+)?$", Final[0].Arguments);

        // The runtime stage takes the published output from the build stage, nothing else from the context.
        var buildStage = Stages[0][0].Arguments.Split(' ')[^1];
        var copies = Final.Where(i => i.Keyword == "COPY").ToList();
        Assert.NotEmpty(copies);
        Assert.All(copies, c => Assert.StartsWith($"--from={buildStage} ", c.Arguments, StringComparison.Ordinal));
    }

    [Fact]
    public void Build_RestoresWithTheCentralPackageFiles_BeforeCopyingSources_AndPublishesTheHost()
    {
        var build = Stages[0];
        int Index(Func<Instruction, bool> predicate) => build.ToList().FindIndex(i => predicate(i));
        var props = Index(i => i.Keyword == "COPY" && i.Arguments.Contains("Directory.Packages.props", StringComparison.Ordinal) && i.Arguments.Contains("Directory.Build.props", StringComparison.Ordinal));
        var restore = Index(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet restore src/Gateway.Host/Gateway.Host.csproj", StringComparison.Ordinal));
        var sources = Index(i => i.Keyword == "COPY" && i.Arguments == "src/ src/");
        var publish = Index(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet publish src/Gateway.Host/Gateway.Host.csproj -c Release", StringComparison.Ordinal));
        Assert.True(props >= 0 && props < restore && restore < sources && sources < publish, $"props {props}, restore {restore}, sources {sources}, publish {publish}");

        // Every project the host needs is copied before the restore (a new project must be added here too).
        var projects = Directory.GetFiles(Repository.PathOf("src"), "*.csproj", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(Repository.Root, p).Replace(Path.DirectorySeparatorChar, '/'));
        foreach (var project in projects)
        {
            Assert.True(
                build.Take(restore).Any(i => i.Keyword == "COPY" && i.Arguments.StartsWith(project + " ", StringComparison.Ordinal)),
                $"{project} is not copied before `dotnet restore`");
        }
    }

    [Fact]
    public void Runtime_RunsAsANonRootUser()
    {
        var user = Assert.Single(Final, i => i.Keyword == "USER").Arguments;
        Assert.DoesNotMatch(@"^(root|0)(:|$)", user);
        Assert.Equal("$APP_UID", user); // the aspnet image's "app" user
    }

    [Fact]
    public void Runtime_HasAHealthcheckOnReadiness_OnThePortItListensOn()
    {
        var healthcheck = Assert.Single(Final, i => i.Keyword == "HEALTHCHECK").Arguments;
        Assert.Contains("CMD ", healthcheck, StringComparison.Ordinal);
        Assert.Contains("http://127.0.0.1:8080/healthz/ready", healthcheck, StringComparison.Ordinal);
        // The probe's tool is installed in the runtime stage (the aspnet image has no HTTP client).
        Assert.Contains(Final, i => i.Keyword == "RUN" && i.Arguments.Contains("apt-get install -y --no-install-recommends curl", StringComparison.Ordinal));
        Assert.Contains(Final, i => i.Keyword == "ENV" && i.Arguments.Contains("Kestrel__Endpoints__Http__Url=http://*:8080", StringComparison.Ordinal));
    }

    [Fact]
    public void Runtime_EntryPointIsTheGatewayHost_ForEveryRole()
    {
        var entrypoint = Assert.Single(Final, i => i.Keyword == "ENTRYPOINT").Arguments;
        Assert.Equal("""["dotnet", "Gateway.Host.dll"]""", entrypoint);
        Assert.DoesNotContain(Final, i => i.Keyword == "ENV" && i.Arguments.Contains("Gateway__Role", StringComparison.Ordinal));
    }

    [Fact]
    public void NothingSecret_IsBakedIn_AndTheBuildContextIsOnlyWhatTheBuildCopies()
    {
        foreach (var instruction in Instructions.Where(i => i.Keyword is "COPY" or "ADD" or "ENV" or "ARG"))
        {
            Assert.DoesNotMatch(@"(?i)secret|htpasswd|\.key\b|\.pem\b|password", instruction.Arguments);
        }

        var ignore = File.ReadAllLines(Repository.PathOf(".dockerignore")).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.Equal("*", ignore[0]);   // everything excluded, then only these allowed back in
        Assert.Equal(
            new HashSet<string> { "!Directory.Build.props", "!Directory.Packages.props", "!src/" },
            ignore.Where(l => l.StartsWith('!')).ToHashSet());
        Assert.Contains("**/bin/", ignore);
        Assert.Contains("**/obj/", ignore);
    }

    private static List<Instruction> Parse(string text)
    {
        var result = new List<Instruction>();
        var logical = "";
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (logical.Length == 0 && (line.TrimStart().StartsWith('#') || line.Trim().Length == 0))
            {
                continue;
            }

            if (line.TrimStart().StartsWith('#'))
            {
                continue; // a comment inside a continued instruction
            }

            if (line.EndsWith('\\'))
            {
                logical += line[..^1].Trim() + " ";
                continue;
            }

            logical += line.Trim();
            var match = InstructionPattern().Match(logical);
            Assert.True(match.Success, $"not an instruction: {logical}");
            result.Add(new Instruction(match.Groups[1].Value.ToUpperInvariant(), Spaces().Replace(match.Groups[2].Value.Trim(), " ")));
            logical = "";
        }

        return result;
    }

    private sealed record Instruction(string Keyword, string Arguments);

    [GeneratedRegex(@"^([A-Za-z]+)\s+(.*)$")]
    private static partial Regex InstructionPattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
