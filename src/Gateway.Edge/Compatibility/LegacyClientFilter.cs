using System.Text.RegularExpressions;

namespace Gateway.Edge.Compatibility;

/// <summary>
/// The nginx recipe's rule: "Do not allow connections from docker 1.5 and earlier; docker pre-1.6.0 did not
/// properly set the user agent on ping, catch "Go *" user agents". Such clients get 404 (no v2 here).
/// Go's current <c>Go-http-client/1.1</c> has no space after <c>Go</c> and is not matched.
/// </summary>
public static partial class LegacyClientFilter
{
    /// <summary>True when the user agent is one the recipe answers with 404.</summary>
    public static bool IsBlocked(string? userAgent) => !string.IsNullOrEmpty(userAgent) && LegacyAgent().IsMatch(userAgent);

    [GeneratedRegex(@"^(docker/1\.(3|4|5(?!\.[0-9]-dev))|Go ).*$", RegexOptions.CultureInvariant | RegexOptions.Singleline, matchTimeoutMilliseconds: 100)]
    private static partial Regex LegacyAgent();
}
