using System.Collections.Frozen;

namespace Gateway.Registry.Credentials;

/// <summary>
/// Parses an htpasswd file as made by <c>htpasswd -B</c>. Only bcrypt entries are accepted; any other
/// scheme (MD5 <c>$apr1$</c>, <c>{SHA}</c>, crypt, plain text) makes the whole file invalid with a
/// message that names the line and the command that makes a bcrypt entry instead.
/// </summary>
public static class HtpasswdParser
{
    /// <summary>The cost of the dummy hash when the file has no entries.</summary>
    public const int DefaultDummyCost = 10;

    /// <summary>Parses the text of an htpasswd file.</summary>
    /// <param name="path">The file's path, for messages.</param>
    /// <param name="content">The file's text.</param>
    /// <param name="previousDummyHash">The dummy hash of the previous version, reused when its cost still fits.</param>
    public static HtpasswdParseResult Parse(string path, string content, string? previousDummyHash = null)
    {
        var entries = new Dictionary<string, HtpasswdEntry>(StringComparer.Ordinal);
        var problems = new List<HtpasswdProblem>();
        var lineNumber = 0;
        foreach (var rawLine in content.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.TrimEnd('\r').Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                problems.Add(new(lineNumber, null, $"{path}:{lineNumber}: not a 'user:hash' line. Create entries with: htpasswd -B {path} <user>"));
                continue;
            }

            var user = line[..colon];
            var hash = line[(colon + 1)..].Trim();
            var cost = BcryptHash.TryGetCost(hash);
            if (cost is null)
            {
                problems.Add(new(lineNumber, user, $"{path}:{lineNumber}: user '{user}' has a {DescribeScheme(hash)} entry; only bcrypt is accepted. Recreate it with: htpasswd -B {path} {user}"));
                continue;
            }

            if (!entries.TryAdd(user, new HtpasswdEntry(user, hash, cost.Value)))
            {
                problems.Add(new(lineNumber, user, $"{path}:{lineNumber}: user '{user}' appears more than once; keep one line per user (htpasswd -D {path} {user}, then htpasswd -B {path} {user})"));
            }
        }

        if (problems.Count > 0)
        {
            return new HtpasswdParseResult(null, problems);
        }

        var dummyCost = DefaultDummyCost;
        if (entries.Count > 0)
        {
            dummyCost = entries.Values.Max(e => e.Cost);
        }

        var dummy = previousDummyHash is not null && BcryptHash.TryGetCost(previousDummyHash) == dummyCost
            ? previousDummyHash
            : BcryptHash.CreateDummy(dummyCost);
        return new HtpasswdParseResult(new HtpasswdSnapshot(entries.ToFrozenDictionary(StringComparer.Ordinal), dummy), problems);
    }

    private static string DescribeScheme(string hash) => hash switch
    {
        _ when hash.StartsWith("$apr1$", StringComparison.Ordinal) => "MD5 ($apr1$)",
        _ when hash.StartsWith("{SHA}", StringComparison.Ordinal) => "SHA-1 ({SHA})",
        _ when hash.StartsWith("$1$", StringComparison.Ordinal) => "MD5-crypt ($1$)",
        _ when hash.StartsWith("$5$", StringComparison.Ordinal) => "SHA-256-crypt ($5$)",
        _ when hash.StartsWith("$6$", StringComparison.Ordinal) => "SHA-512-crypt ($6$)",
        _ when hash.StartsWith("$2", StringComparison.Ordinal) => "malformed bcrypt",
        _ when hash.Length == 13 => "DES crypt",
        _ => "plain-text or unknown",
    };
}
