using System.Diagnostics;

namespace Gateway.Registry.Tests.Credentials;

/// <summary>Runs the real <c>htpasswd</c> (Debian: apache2-utils) to make files as operators make them.</summary>
internal static class HtpasswdTool
{
    public static string? Path { get; } = Find();

    /// <summary>Runs <c>htpasswd</c> with the arguments and fails the test when it exits non-zero.</summary>
    public static void Run(params string[] arguments)
    {
        var start = new ProcessStartInfo(Path ?? throw new InvalidOperationException("htpasswd is not installed"))
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"htpasswd {string.Join(' ', arguments)} exited {process.ExitCode}: {stderr.Result}");
    }

    private static string? Find()
    {
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(System.IO.Path.PathSeparator);
        return directories.Select(d => System.IO.Path.Combine(d, "htpasswd")).FirstOrDefault(File.Exists);
    }
}

/// <summary>A fact that needs the real <c>htpasswd</c>; skipped where it is not installed.</summary>
public sealed class HtpasswdFactAttribute : FactAttribute
{
    public HtpasswdFactAttribute()
    {
        if (HtpasswdTool.Path is null)
        {
            Skip = "htpasswd (apache2-utils) is not installed";
        }
    }
}

/// <summary>A temporary directory, removed on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = Directory.CreateTempSubdirectory("gateway-htpasswd-").FullName;
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>
/// Entries made by the real tool (htpasswd 2.4.71, Debian apache2-utils), kept here so the parser is also
/// checked against the tool's output where the tool is not installed.
/// </summary>
internal static class HtpasswdSamples
{
    // htpasswd -bBc -C 4 file alice 'correct horse'
    public const string AliceCost4 = "alice:$2y$04$5LP67esldOZyINwk5m2B/.MdkpMNJDNI71y.dKYJZq/OI9ni9C8ui";
    public const string AlicePassword = "correct horse";

    // htpasswd -bB -C 5 file bob 's3cr:et'
    public const string BobCost5 = "bob:$2y$05$wHASjfnLaMV3U5jttG820unROhKH6iIUShLohm8KdTBVAkMSPCXDW";
    public const string BobPassword = "s3cr:et";

    // htpasswd -nbB -C 4 long "$(printf 'x%.0s' {1..71})Ytail-after-72-bytes": a 91-byte password.
    public const string LongHash = "$2y$04$f5ngJ8Qvz3yfDOMXHYVMi.5RoaZkqgLxq94H4yrfFn3mB/YB7FHke";

    // htpasswd -nbm carol md5-pass-Zq
    public const string CarolMd5 = "carol:$apr1$QR3B0VV6$EmTXE1MQpdtHQmKcwoI.x/";

    // htpasswd -nbs dave sha-pass-Zq
    public const string DaveSha1 = "dave:{SHA}/TTyNeEGGsIdogUniWdAiSZZkd0=";

    // htpasswd -nbp erin plain-pass-Zq
    public const string ErinPlain = "erin:plain-pass-Zq";

    // htpasswd -nbd frank crypt
    public const string FrankCrypt = "frank:L0X./Jp8CrL5U";

    public static string LongPassword { get; } = new string('x', 71) + "Ytail-after-72-bytes";

    public static string HashOf(string line) => line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..];
}
