using System.Text;

namespace Gateway.EndToEnd.Tests.Infrastructure;

/// <summary>Mount points under a folder (from /proc/self/mounts), and their removal.</summary>
public static class Mounts
{
    /// <summary>Mount points at or below <paramref name="prefix"/>, deepest first.</summary>
    public static IReadOnlyList<string> Under(string prefix)
    {
        var root = prefix.TrimEnd('/');
        return [.. File.ReadAllLines("/proc/self/mounts")
            .Select(line => line.Split(' '))
            .Where(fields => fields.Length > 1)
            .Select(fields => Unescape(fields[1]))
            .Where(target => target == root || target.StartsWith(root + "/", StringComparison.Ordinal))
            .Distinct()
            .OrderByDescending(target => target.Length)];
    }

    /// <summary>
    /// Unmounts everything under <paramref name="prefix"/> (deepest first, <c>umount -n</c>, lazy as fallback).
    /// True when nothing is mounted there any more. Never throws.
    /// </summary>
    public static bool UnmountAllUnder(string prefix)
    {
        try
        {
            for (var round = 0; round < 3; round++)
            {
                var mounts = Under(prefix);
                if (mounts.Count == 0)
                {
                    return true;
                }

                foreach (var target in mounts)
                {
                    if (Umount("-n", target) != 0)
                    {
                        Umount("-n", "-l", target);
                    }
                }
            }

            return Under(prefix).Count == 0;
        }
#pragma warning disable CA1031 // cleanup must never throw
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    private static int Umount(params string[] args)
    {
        using var process = new System.Diagnostics.Process();
        process.StartInfo.FileName = "umount";
        foreach (var arg in args)
        {
            process.StartInfo.ArgumentList.Add(arg);
        }

        process.StartInfo.RedirectStandardError = true;
        process.StartInfo.RedirectStandardOutput = true;
        process.Start();
        process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        return process.WaitForExit(TimeSpan.FromSeconds(20)) ? process.ExitCode : -1;
    }

    // /proc/self/mounts escapes space, tab, newline and backslash as \ooo.
    private static string Unescape(string value)
    {
        if (!value.Contains('\\', StringComparison.Ordinal))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 3 < value.Length && IsOctal(value[i + 1]) && IsOctal(value[i + 2]) && IsOctal(value[i + 3]))
            {
                builder.Append((char)Convert.ToInt32(value.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                builder.Append(value[i]);
            }
        }

        return builder.ToString();
    }

    private static bool IsOctal(char c) => c is >= '0' and <= '7';
}
